package twilio_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/integrations"
	"github.com/hookflow/hookflow/integrations/internal/kindtest"
)

const (
	sid       = "AC0123456789abcdef0123456789abcdef"
	authToken = "f00dsecretauthtoken0000000000000"
)

func load(t *testing.T, v *kindtest.Vendor, extra string) *integrations.Set {
	return kindtest.Load(t, "sms:\n  kind: twilio\n  base_url: "+v.URL+"\n  account_sid: "+sid+"\n  auth_token: "+authToken+"\n"+extra)
}

func TestConfig(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"sid", "sms:\n  kind: twilio\n  account_sid: 123\n  auth_token: x\n", "hookflow.yaml:3:16: integrations.sms.account_sid must be the Account SID"},
		{"no auth", "sms:\n  kind: twilio\n  account_sid: " + sid + "\n", "integrations.sms.auth_token is required (or api_key_sid with api_key_secret)"},
		{"both auths", "sms:\n  kind: twilio\n  account_sid: " + sid + "\n  auth_token: x\n  api_key_sid: SK1\n  api_key_secret: y\n", "set auth_token or api_key_sid with api_key_secret, not both"},
		{"half key", "sms:\n  kind: twilio\n  account_sid: " + sid + "\n  api_key_sid: SK1\n", "api_key_sid and api_key_secret go together"},
		{"two senders", "sms:\n  kind: twilio\n  account_sid: " + sid + "\n  auth_token: x\n  from: \"+1555\"\n  messaging_service_sid: MG1\n", "set from or messaging_service_sid, not both"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := kindtest.LoadErr(t, tc.doc)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}

const created = `{"account_sid": "` + sid + `", "api_version": "2010-04-01", "body": "Your order #1001 shipped",
  "date_created": "Thu, 24 Aug 2023 05:01:45 +0000", "direction": "outbound-api", "error_code": null, "error_message": null,
  "from": "+15557654321", "messaging_service_sid": null, "num_media": "0", "num_segments": "1", "price": null,
  "sid": "SM1f0e8ae6ade43cb3c0ce4525424e404f", "status": "queued", "to": "+14155550100",
  "uri": "/2010-04-01/Accounts/` + sid + `/Messages/SM1f0e8ae6ade43cb3c0ce4525424e404f.json"}`

func TestSendSMS(t *testing.T) {
	v := kindtest.Serve(t, kindtest.Reply{Status: 201, Body: created})
	res, err := kindtest.Call(t, load(t, v, "  from: \"+15557654321\"\n"), "sms", "send_sms", map[string]any{
		"to": "+14155550100", "body": "Your order #1001 shipped", "media_url": []any{"https://shop.example/l.png"},
	}, authToken)
	if err != nil {
		t.Fatal(err)
	}
	got := v.Last(t)
	if got.Method != http.MethodPost || got.Path != "/2010-04-01/Accounts/"+sid+"/Messages.json" {
		t.Errorf("sent %s %s", got.Method, got.Path)
	}
	if got.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		t.Errorf("Content-Type %q", got.Header.Get("Content-Type"))
	}
	if want := "Basic " + base64.StdEncoding.EncodeToString([]byte(sid+":"+authToken)); got.Header.Get("Authorization") != want {
		t.Errorf("Authorization %q", got.Header.Get("Authorization"))
	}
	form, err := url.ParseQuery(string(got.Body))
	if err != nil {
		t.Fatal(err)
	}
	want := url.Values{"To": {"+14155550100"}, "From": {"+15557654321"}, "Body": {"Your order #1001 shipped"}, "MediaUrl": {"https://shop.example/l.png"}}
	if !reflect.DeepEqual(form, want) {
		t.Errorf("form %v, want %v", form, want)
	}
	wantOut := map[string]any{"id": "SM1f0e8ae6ade43cb3c0ce4525424e404f", "sid": "SM1f0e8ae6ade43cb3c0ce4525424e404f", "status": "queued", "to": "+14155550100", "from": "+15557654321"}
	if !reflect.DeepEqual(res.Output, wantOut) {
		t.Errorf("output %v", res.Output)
	}
	basic := base64.StdEncoding.EncodeToString([]byte(sid + ":" + authToken))
	kindtest.NoSecret(t, res, err, basic)
}

func TestSenders(t *testing.T) {
	v := kindtest.Serve(t, kindtest.Reply{Status: 201, Body: created})
	s := load(t, v, "  messaging_service_sid: MG0000\n")
	if _, err := kindtest.Call(t, s, "sms", "send_sms", map[string]any{"to": "+1", "body": "x"}, authToken); err != nil {
		t.Fatal(err)
	}
	if form, _ := url.ParseQuery(string(v.Last(t).Body)); form.Get("MessagingServiceSid") != "MG0000" || form.Has("From") {
		t.Errorf("form %v", form)
	}
	if _, err := kindtest.Call(t, s, "sms", "send_sms", map[string]any{"to": "+1", "body": "x", "from": "whatsapp:+1555"}, authToken); err != nil {
		t.Fatal(err)
	}
	if form, _ := url.ParseQuery(string(v.Last(t).Body)); form.Get("From") != "whatsapp:+1555" || form.Has("MessagingServiceSid") {
		t.Errorf("form %v", form)
	}
	// An API key authenticates as the key, still under the account's URL.
	s = kindtest.Load(t, "sms:\n  kind: twilio\n  base_url: "+v.URL+"\n  account_sid: "+sid+"\n  api_key_sid: SK0001\n  api_key_secret: keysecret0001\n  from: \"+1\"\n")
	if _, err := kindtest.Call(t, s, "sms", "send_sms", map[string]any{"to": "+1", "body": "x"}, "keysecret0001"); err != nil {
		t.Fatal(err)
	}
	if user, pass, _ := (&http.Request{Header: v.Last(t).Header}).BasicAuth(); user != "SK0001" || pass != "keysecret0001" {
		t.Errorf("basic auth %q:%q", user, pass)
	}
}

func TestFailures(t *testing.T) {
	for _, tc := range []struct {
		name       string
		reply      kindtest.Reply
		retryable  bool
		retryAfter time.Duration
		want       string
	}{
		{"invalid To", kindtest.Reply{Status: 400, Body: `{"code": 21211, "message": "Invalid 'To' Phone Number: +1415555", "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400}`},
			false, 0, "HTTP 400 Bad Request: Twilio error 21211: Invalid 'To' Phone Number: +1415555 (https://www.twilio.com/docs/errors/21211)"},
		{"bad credentials", kindtest.Reply{Status: 401, Body: `{"code": 20003, "message": "Authenticate", "more_info": "https://www.twilio.com/docs/errors/20003", "status": 401}`},
			false, 0, "Twilio error 20003: Authenticate (https://www.twilio.com/docs/errors/20003) (check the integration's account_sid and auth_token"},
		{"not found", kindtest.Reply{Status: 404, Body: `{"code": 20404, "message": "The requested resource /2010-04-01/Accounts/x/Messages.json was not found", "more_info": "https://www.twilio.com/docs/errors/20404", "status": 404}`},
			false, 0, "Twilio error 20404"},
		{"too many", kindtest.Reply{Status: 429, Header: map[string]string{"Retry-After": "1"}, Body: `{"code": 20429, "message": "Too Many Requests", "more_info": "https://www.twilio.com/docs/errors/20429", "status": 429}`},
			true, time.Second, "Twilio error 20429: Too Many Requests"},
		{"down", kindtest.Reply{Status: 503, Body: `{"code": 20503, "message": "Service unavailable", "status": 503}`}, true, 0, "Twilio error 20503"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := kindtest.Serve(t, tc.reply)
			_, err := kindtest.Call(t, load(t, v, "  from: \"+1\"\n"), "sms", "send_sms", map[string]any{"to": "+14155550100", "body": "x"}, authToken)
			e := kindtest.Failure(t, err, tc.retryable)
			if e.RetryAfter != tc.retryAfter || !strings.Contains(e.Message, tc.want) {
				t.Errorf("RetryAfter %v, message %q; want %v, %q", e.RetryAfter, e.Message, tc.retryAfter, tc.want)
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	v := kindtest.Serve(t, kindtest.Reply{Status: 201, Body: created})
	s := load(t, v, "")
	for _, tc := range []struct {
		input map[string]any
		want  string
	}{
		{map[string]any{"to": "+1", "body": "x"}, "with.from is required (the integration sets neither from nor messaging_service_sid)"},
		{map[string]any{"to": "+1", "body": strings.Repeat("x", 1601), "from": "+1"}, "with.body has 1601 characters; Twilio takes at most 1600"},
		{map[string]any{"to": 14155550100.0, "body": "x", "from": "+1"}, "with.to must be a string, got a number"},
		{map[string]any{"to": "+1", "body": "x", "from": "+1", "messaging_service_sid": "MG1"}, "give one, not both"},
	} {
		_, err := kindtest.Call(t, s, "sms", "send_sms", tc.input, authToken)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want %q", err, tc.want)
		}
	}
	if v.Count() != 0 {
		t.Error("bad input reached Twilio")
	}
}

// messagesAPI stands in for Create a Message as documented (checked
// 2026-11-29: message-resource#create-a-message-resource and
// content/send-templates-created-with-the-content-template-builder): To
// and a sender; then Body, MediaUrl or ContentSid, any one of them enough;
// ContentVariables (a JSON object, as a string) only with ContentSid.
func messagesAPI(t *testing.T) *kindtest.Vendor {
	twilioErr := func(code int, msg string) kindtest.Reply {
		return kindtest.Reply{Status: 400, Body: `{"code": ` + strconv.Itoa(code) + `, "message": "` + msg + `", "more_info": "https://www.twilio.com/docs/errors/` + strconv.Itoa(code) + `", "status": 400}`}
	}
	return kindtest.ServeFunc(t, func(g kindtest.Got) kindtest.Reply {
		f, err := url.ParseQuery(string(g.Body))
		switch {
		case err != nil || f.Get("To") == "":
			return twilioErr(21604, "A 'To' phone number is required.")
		case f.Get("From") == "" && f.Get("MessagingServiceSid") == "":
			return twilioErr(21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message")
		case f.Get("Body") == "" && len(f["MediaUrl"]) == 0 && f.Get("ContentSid") == "":
			return twilioErr(21619, "A text message body or media urls must be specified.")
		case f.Has("ContentVariables") && f.Get("ContentSid") == "":
			return twilioErr(21654, "ContentSid Required")
		case f.Has("ContentVariables") && !json.Valid([]byte(f.Get("ContentVariables"))):
			return twilioErr(21656, "The ContentVariables Parameter is invalid.")
		}
		return kindtest.Reply{Status: 201, Body: `{"sid": "MM0123456789abcdef0123456789abcdef", "status": "queued", "to": "` + f.Get("To") + `", "from": "` + f.Get("From") + `"}`}
	})
}

// Defect 5 (issue 13): WhatsApp templates are sent by ContentSid with
// ContentVariables, and a picture can go without text: body is no longer
// required when media_url or content_sid says what to send.
func TestContentTemplatesAndMediaOnly(t *testing.T) {
	v := messagesAPI(t)
	s := load(t, v, "  from: \"whatsapp:+15557654321\"\n")
	for _, tc := range []struct {
		name string
		in   map[string]any
		want url.Values
	}{
		{"template", map[string]any{"to": "whatsapp:+14155550100", "content_sid": "HX0123456789abcdef0123456789abcdef", "content_variables": map[string]any{"1": "Ada", "2": 1001}},
			url.Values{"To": {"whatsapp:+14155550100"}, "From": {"whatsapp:+15557654321"}, "ContentSid": {"HX0123456789abcdef0123456789abcdef"}, "ContentVariables": {`{"1":"Ada","2":"1001"}`}}},
		{"media only", map[string]any{"to": "+14155550100", "media_url": "https://cdn.shop.example/label.png"},
			url.Values{"To": {"+14155550100"}, "From": {"whatsapp:+15557654321"}, "MediaUrl": {"https://cdn.shop.example/label.png"}}},
	} {
		res, err := kindtest.Call(t, s, "sms", "send_sms", tc.in, authToken)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if got, _ := url.ParseQuery(string(v.Last(t).Body)); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: form %v\nwant %v", tc.name, got, tc.want)
		}
		if res.Output.(map[string]any)["id"] != "MM0123456789abcdef0123456789abcdef" {
			t.Errorf("%s: output %v", tc.name, res.Output)
		}
	}
	n := v.Count()
	for _, tc := range []struct {
		in   map[string]any
		want string
	}{
		{map[string]any{"to": "+1"}, "with.body, with.media_url or with.content_sid is required"},
		{map[string]any{"to": "+1", "body": "x", "content_variables": map[string]any{"1": "a"}}, "with.content_variables needs with.content_sid"},
		{map[string]any{"to": "+1", "content_sid": "HX1", "content_variables": map[string]any{"1": []any{"a"}}}, "with.content_variables.1 must be a string, number or boolean"},
	} {
		if _, err := kindtest.Call(t, s, "sms", "send_sms", tc.in, authToken); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want %q", tc.in, err, tc.want)
		}
	}
	if v.Count() != n {
		t.Error("bad input reached Twilio")
	}
}
