package whatsapp_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/integrations"
	"github.com/hookflow/hookflow/integrations/internal/kindtest"
	"github.com/hookflow/hookflow/integrations/whatsapp"
)

const (
	token   = "EAAGm0PX4ZCpsBAsecretSYSTEMUSERtoken000"
	phoneID = "106540352242922"
)

// cloudAPI stands in for the WhatsApp Cloud API as documented
// (developers.facebook.com/docs/whatsapp/cloud-api/reference/messages,
// Graph API v26.0, checked 2026-11-29): POST /{version}/{phone_number_id}/messages
// with a bearer token and a JSON body of messaging_product "whatsapp",
// recipient_type, to, type and the type's object; the answer lists the
// contact's wa_id and the message's wamid.
func cloudAPI(t *testing.T) *kindtest.Vendor {
	n := 0
	return kindtest.ServeFunc(t, func(g kindtest.Got) kindtest.Reply {
		if g.Header.Get("Authorization") != "Bearer "+token {
			return graphError(401, 190, "Error validating access token: Session has expired", "")
		}
		if g.Method != http.MethodPost || g.Path != "/"+whatsapp.APIVersion+"/"+phoneID+"/messages" {
			return graphError(400, 100, "Unsupported post request. Object with ID 'x' does not exist", "")
		}
		var b map[string]any
		if json.Unmarshal(g.Body, &b) != nil || b["messaging_product"] != "whatsapp" || b["recipient_type"] != "individual" {
			return graphError(400, 100, "(#100) The parameter messaging_product is required.", "")
		}
		switch b["type"] {
		case "text":
			if txt, _ := b["text"].(map[string]any); txt == nil || txt["body"] == "" {
				return graphError(400, 100, "(#100) Param text['body'] is required.", "")
			}
		case "template":
			tpl, _ := b["template"].(map[string]any)
			lang, _ := tpl["language"].(map[string]any)
			if tpl == nil || tpl["name"] == "" || lang["code"] == nil {
				return graphError(400, 131008, "(#131008) Required parameter is missing", "template name and language.code are required")
			}
			if tpl["name"] != "order_shipped" {
				return graphError(404, 132001, "(#132001) Template name does not exist in the translation", "template name ("+tpl["name"].(string)+") does not exist in en_US")
			}
		default:
			return graphError(400, 131051, "(#131051) Unsupported message type", "")
		}
		n++
		to := b["to"].(string)
		return reply(200, map[string]any{"messaging_product": "whatsapp",
			"contacts": []any{map[string]any{"input": to, "wa_id": strings.TrimPrefix(to, "+")}},
			"messages": []any{map[string]any{"id": fmt.Sprintf("wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI%d", n), "message_status": "accepted"}}})
	})
}

func reply(status int, v any) kindtest.Reply {
	b, _ := json.Marshal(v)
	return kindtest.Reply{Status: status, Body: string(b)}
}

func graphError(status, code int, msg, details string) kindtest.Reply {
	e := map[string]any{"message": msg, "type": "OAuthException", "code": code, "fbtrace_id": "AbCdEf"}
	if details != "" {
		e["error_data"] = map[string]any{"messaging_product": "whatsapp", "details": details}
	}
	return reply(status, map[string]any{"error": e})
}

func load(t *testing.T, v *kindtest.Vendor) *integrations.Set {
	return kindtest.Load(t, `
wa:
  kind: whatsapp
  base_url: `+v.URL+`
  token: `+token+`
  phone_number_id: "`+phoneID+`"
`)
}

func TestConfig(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"token missing", "w:\n  kind: whatsapp\n  phone_number_id: \"123456\"\n", "integrations.w.token is required"},
		{"phone_number_id missing", "w:\n  kind: whatsapp\n  token: x\n", "phone_number_id is required"},
		{"a phone number instead of its id", "w:\n  kind: whatsapp\n  token: x\n  phone_number_id: \"+1 555 0100\"\n", "not the number itself"},
		{"bad version", "w:\n  kind: whatsapp\n  token: x\n  phone_number_id: \"123456\"\n  api_version: \"26\"\n", "api_version must be a Graph API version such as v26.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := kindtest.LoadErr(t, tc.doc)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
	s := kindtest.Load(t, "w:\n  kind: whatsapp\n  token: x\n  phone_number_id: \"123456\"\n")
	rec, err := s.Build(integrations.Call{Integration: "w", Operation: "send_text", Input: map[string]any{"to": "+1 (650) 555-1234", "text": "hi"}})
	if err != nil || rec.URL != "https://graph.facebook.com/v26.0/123456/messages" ||
		rec.Body != `{"messaging_product":"whatsapp","recipient_type":"individual","text":{"body":"hi"},"to":"+16505551234","type":"text"}` {
		t.Errorf("built %+v %v", rec, err)
	}
}

func TestSendText(t *testing.T) {
	v := cloudAPI(t)
	res, err := kindtest.Call(t, load(t, v), "wa", "send_text", map[string]any{
		"to": "+49 151 12345678", "text": "Your order #1001 has shipped: https://t.example/1", "preview_url": true, "reply_to": "wamid.ABC",
	}, token)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"messaging_product": "whatsapp", "recipient_type": "individual", "to": "+4915112345678", "type": "text",
		"text": map[string]any{"body": "Your order #1001 has shipped: https://t.example/1", "preview_url": true}, "context": map[string]any{"message_id": "wamid.ABC"}}
	if got := v.Last(t).JSON(t); !reflect.DeepEqual(got, want) {
		t.Errorf("body %v\nwant %v", got, want)
	}
	if out := res.Output.(map[string]any); out["id"] != "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI1" || out["wa_id"] != "4915112345678" || out["message_status"] != "accepted" {
		t.Errorf("output %v", out)
	}
	if res.Request.Headers["Authorization"] != "[redacted]" {
		t.Errorf("recorded %v", res.Request.Headers)
	}
}

func TestSendTemplate(t *testing.T) {
	v := cloudAPI(t)
	s := load(t, v)
	res, err := kindtest.Call(t, s, "wa", "send_template", map[string]any{
		"to": 4915112345678.0, "template": "order_shipped", "language": "en_US",
		"header_parameters": []any{"#1001"}, "body_parameters": []any{"Ada", 3},
	}, token)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"name": "order_shipped", "language": map[string]any{"code": "en_US"}, "components": []any{
		map[string]any{"type": "header", "parameters": []any{map[string]any{"type": "text", "text": "#1001"}}},
		map[string]any{"type": "body", "parameters": []any{map[string]any{"type": "text", "text": "Ada"}, map[string]any{"type": "text", "text": "3"}}},
	}}
	body := v.Last(t).JSON(t)
	if !reflect.DeepEqual(body["template"], want) || body["type"] != "template" || body["to"] != "4915112345678" {
		t.Errorf("body %v", body)
	}
	if out := res.Output.(map[string]any); !strings.HasPrefix(out["id"].(string), "wamid.") {
		t.Errorf("output %v", out)
	}
	// Components as the Cloud API takes them, passed through.
	comps := []any{map[string]any{"type": "button", "sub_type": "url", "index": "0", "parameters": []any{map[string]any{"type": "text", "text": "1001"}}}}
	if _, err := kindtest.Call(t, s, "wa", "send_template", map[string]any{"to": "+4915112345678", "template": "order_shipped", "language": "en_US", "components": comps}, token); err != nil {
		t.Fatal(err)
	}
	if got := v.Last(t).JSON(t)["template"].(map[string]any)["components"]; !reflect.DeepEqual(got, comps) {
		t.Errorf("components %v", got)
	}
}

// The phone number id is one path segment: another business number per
// step is fine, a path is not.
func TestPhoneNumberIDSegment(t *testing.T) {
	v := kindtest.Serve(t, reply(200, map[string]any{"messages": []any{map[string]any{"id": "wamid.X"}}}))
	s := load(t, v)
	if _, err := kindtest.Call(t, s, "wa", "send_text", map[string]any{"to": "+4915112345678", "text": "hi", "phone_number_id": "2222222/../x?y#z"}, token); err == nil || v.Count() != 0 {
		t.Errorf("climbing id: %v", err)
	}
	if _, err := kindtest.Call(t, s, "wa", "send_text", map[string]any{"to": "+4915112345678", "text": "hi", "phone_number_id": "222?x=1#y"}, token); err != nil {
		t.Fatal(err)
	}
	if g := v.Last(t); g.Path != "/v26.0/222%3Fx=1%23y/messages" || g.Query != "" {
		t.Errorf("sent to %s?%s", g.Path, g.Query)
	}
}

// Meta's error codes decide, not the status: rate limits retry (even as
// 400), code 3 is permanent (even as 500), and the details are shown.
func TestErrorClasses(t *testing.T) {
	for _, tc := range []struct {
		name      string
		reply     kindtest.Reply
		retryable bool
		want      string
	}{
		{"throughput 130429", graphError(400, 130429, "(#130429) Rate limit hit", "Message failed to send because there were too many messages sent from this phone number in a short period of time"), true, "code 130429: Message failed to send because there were too many messages"},
		{"pair rate limit 131056", graphError(400, 131056, "(#131056) (Business Account, Consumer Account) pair rate limit hit", ""), true, "too many messages to this customer"},
		{"app rate limit 4", graphError(429, 4, "(#4) Application request limit reached", ""), true, "code 4"},
		{"service 131016 as 503", graphError(503, 131016, "(#131016) Service unavailable", ""), true, "temporarily unavailable"},
		{"capability 3 as 500", graphError(500, 3, "(#3) Application does not have the capability to make this API call.", ""), false, "lacks a capability"},
		{"token expired 190", graphError(401, 190, "Error validating access token: Session has expired on Friday", ""), false, "check the integration's token"},
		{"permission 200", graphError(403, 200, "(#200) Permissions error", ""), false, "lacks a permission"},
		{"window closed 131047", graphError(400, 131047, "(#131047) Re-engagement message", "Message failed to send because more than 24 hours have passed since the customer last replied to this number."), false, "send a template (send_template) instead"},
		{"template missing 132001", graphError(404, 132001, "(#132001) Template name does not exist in the translation", "template name (order_shippd) does not exist in en_US"), false, "no approved template of this name"},
		{"unknown code keeps the status class", graphError(500, 999999, "(#999999) something new", ""), true, "code 999999"},
		{"not JSON", kindtest.Reply{Status: 502, Body: "<html><title>Bad Gateway</title></html>"}, true, "HTTP 502"},
		{"token echoed", graphError(400, 100, "(#100) Invalid parameter "+token, ""), false, "Invalid parameter [redacted]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := kindtest.Serve(t, tc.reply)
			_, err := kindtest.Call(t, load(t, v), "wa", "send_text", map[string]any{"to": "+4915112345678", "text": "hi"}, token)
			e := kindtest.Failure(t, err, tc.retryable)
			if !strings.Contains(e.Message, tc.want) || !strings.HasPrefix(e.Message, "wa.send_text: ") {
				t.Errorf("%q, want %q", e.Message, tc.want)
			}
		})
	}
	if e := kindtest.Failure(t, firstErr(t), false); !strings.Contains(e.Message, "Template name does not exist") {
		t.Errorf("stand-in template error %q", e.Message)
	}
}

// firstErr sends a template the stand-in does not know.
func firstErr(t *testing.T) error {
	v := cloudAPI(t)
	_, err := kindtest.Call(t, load(t, v), "wa", "send_template", map[string]any{"to": "+4915112345678", "template": "order_shippd", "language": "en_US"}, token)
	return err
}

func TestBadInput(t *testing.T) {
	v := cloudAPI(t)
	s := load(t, v)
	for _, tc := range []struct {
		op   string
		with map[string]any
		want string
	}{
		{"send_text", map[string]any{"to": "call me", "text": "hi"}, "with.to must be the customer's phone number with country code"},
		{"send_text", map[string]any{"to": "+4915112345678", "text": strings.Repeat("x", 4097)}, "with.text has 4097 characters"},
		{"send_text", map[string]any{"to": "+4915112345678", "text": "hi", "preview_url": "yes"}, "with.preview_url must be true or false"},
		{"send_template", map[string]any{"to": "+4915112345678", "template": "Order Shipped", "language": "en_US"}, "with.template must be a template name"},
		{"send_template", map[string]any{"to": "+4915112345678", "template": "order_shipped", "language": "english"}, "with.language must be a template language code"},
		{"send_template", map[string]any{"to": "+4915112345678", "template": "order_shipped", "language": "en", "body_parameters": []any{""}}, "with.body_parameters[0] must be a non-empty string or number"},
		{"send_template", map[string]any{"to": "+4915112345678", "template": "order_shipped", "language": "en", "body_parameters": []any{"a"}, "components": []any{}}, "give one"},
	} {
		_, err := kindtest.Call(t, s, "wa", tc.op, tc.with, token)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %v: %v, want %q", tc.op, tc.with, err, tc.want)
		}
	}
	if v.Count() != 0 {
		t.Errorf("bad input reached WhatsApp %d times", v.Count())
	}
}
