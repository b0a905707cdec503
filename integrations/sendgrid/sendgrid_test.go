package sendgrid_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/integrations"
	"github.com/hookflow/hookflow/integrations/internal/kindtest"
)

const apiKey = "SG.secretkeyid.secretkeyvalue000"

func load(t *testing.T, v *kindtest.Vendor) *integrations.Set {
	return kindtest.Load(t, "mail:\n  kind: sendgrid\n  base_url: "+v.URL+"\n  api_key: "+apiKey+"\n  from: orders@shop.example\n  from_name: Acme Shop\n")
}

func TestConfig(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"no key", "mail:\n  kind: sendgrid\n", "integrations.mail.api_key is required"},
		{"bad from", "mail:\n  kind: sendgrid\n  api_key: k\n  from: not-an-address\n", "hookflow.yaml:4:9: integrations.mail.from must be an email address"},
	} {
		_, err := kindtest.LoadErr(t, tc.doc)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
	s := kindtest.Load(t, "mail:\n  kind: sendgrid\n  api_key: k\n  base_url: https://api.eu.sendgrid.com\n")
	rec, err := s.Build(integrations.Call{Integration: "mail", Operation: "send_email", Input: map[string]any{"to": "a@b.example", "subject": "s", "text": "t", "from": "x@y.example"}})
	if err != nil || rec.URL != "https://api.eu.sendgrid.com/v3/mail/send" {
		t.Errorf("EU URL %q, %v", rec.URL, err)
	}
}

func TestSendEmail(t *testing.T) {
	v := kindtest.Serve(t, kindtest.Reply{Status: 202, Header: map[string]string{"X-Message-Id": "W9H3ZyC2QvWkHf0Xq1lS3A"}})
	res, err := kindtest.Call(t, load(t, v), "mail", "send_email", map[string]any{
		"to": []any{"Ada Lovelace <ada@example.com>"}, "cc": "ops@shop.example", "subject": "Order #1001",
		"text": "Thanks", "html": "<p>Thanks</p>", "reply_to": "support@shop.example", "categories": "orders",
	}, apiKey)
	if err != nil {
		t.Fatal(err)
	}
	got := v.Last(t)
	if got.Method != http.MethodPost || got.Path != "/v3/mail/send" {
		t.Errorf("sent %s %s", got.Method, got.Path)
	}
	if got.Header.Get("Authorization") != "Bearer "+apiKey || got.Header.Get("Content-Type") != "application/json" {
		t.Errorf("headers %v", got.Header)
	}
	want := map[string]any{
		"personalizations": []any{map[string]any{
			"to": []any{map[string]any{"email": "ada@example.com", "name": "Ada Lovelace"}},
			"cc": []any{map[string]any{"email": "ops@shop.example"}},
		}},
		"from":     map[string]any{"email": "orders@shop.example", "name": "Acme Shop"},
		"reply_to": map[string]any{"email": "support@shop.example"},
		"subject":  "Order #1001",
		"content": []any{
			map[string]any{"type": "text/plain", "value": "Thanks"},
			map[string]any{"type": "text/html", "value": "<p>Thanks</p>"},
		},
		"categories": []any{"orders"},
	}
	if body := got.JSON(t); !reflect.DeepEqual(body, want) {
		t.Errorf("body %v\nwant %v", body, want)
	}
	if !reflect.DeepEqual(res.Output, map[string]any{"accepted": true, "id": "W9H3ZyC2QvWkHf0Xq1lS3A"}) {
		t.Errorf("output %v", res.Output)
	}
}

func TestTemplate(t *testing.T) {
	v := kindtest.Serve(t, kindtest.Reply{Status: 202})
	_, err := kindtest.Call(t, load(t, v), "mail", "send_email", map[string]any{
		"to": "ada@example.com", "template_id": "d-0123", "template_data": map[string]any{"name": "Ada"}, "from": "shop@shop.example",
	}, apiKey)
	if err != nil {
		t.Fatal(err)
	}
	body := v.Last(t).JSON(t)
	p := body["personalizations"].([]any)[0].(map[string]any)
	if body["template_id"] != "d-0123" || !reflect.DeepEqual(p["dynamic_template_data"], map[string]any{"name": "Ada"}) || body["content"] != nil || body["subject"] != nil {
		t.Errorf("body %v", body)
	}
	if from := body["from"].(map[string]any); from["email"] != "shop@shop.example" || from["name"] != nil {
		t.Errorf("from %v", from)
	}
}

func TestFailures(t *testing.T) {
	reset := strconv.FormatInt(time.Now().Add(30*time.Second).Unix(), 10)
	for _, tc := range []struct {
		name      string
		reply     kindtest.Reply
		retryable bool
		minDelay  time.Duration
		want      string
	}{
		{"unverified sender", kindtest.Reply{Status: 403, Body: `{"errors": [{"message": "The from address does not match a verified Sender Identity. Mail cannot be sent until this error is resolved.", "field": "from", "help": "https://sendgrid.com/docs/for-developers/sending-email/sender-identity/"}]}`},
			false, 0, "HTTP 403 Forbidden: from: The from address does not match a verified Sender Identity"},
		{"bad key", kindtest.Reply{Status: 401, Body: `{"errors": [{"field": null, "message": "The provided authorization grant is invalid, expired, or revoked"}]}`},
			false, 0, "authorization grant is invalid, expired, or revoked (check the integration's api_key)"},
		{"validation", kindtest.Reply{Status: 400, Body: `{"errors": [{"message": "Does not contain a valid address.", "field": "personalizations.0.to.0.email", "help": "http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html#message.personalizations.to"}]}`},
			false, 0, "personalizations.0.to.0.email: Does not contain a valid address."},
		{"too large", kindtest.Reply{Status: 413, Body: `{"errors": [{"message": "The JSON payload you have included in your request is too large.", "field": null}]}`}, false, 0, "HTTP 413"},
		{"rate limited", kindtest.Reply{Status: 429, Header: map[string]string{"X-RateLimit-Reset": reset}, Body: `{"errors": [{"field": null, "message": "too many requests"}]}`},
			true, 25 * time.Second, "too many requests"},
		{"down", kindtest.Reply{Status: 500, Body: `{"errors": [{"field": null, "message": "internal error"}]}`}, true, 0, "HTTP 500"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := kindtest.Serve(t, tc.reply)
			_, err := kindtest.Call(t, load(t, v), "mail", "send_email", map[string]any{"to": "ada@example.com", "subject": "s", "text": "t"}, apiKey)
			e := kindtest.Failure(t, err, tc.retryable)
			if e.RetryAfter < tc.minDelay || e.RetryAfter > tc.minDelay+10*time.Second || !strings.Contains(e.Message, tc.want) {
				t.Errorf("RetryAfter %v, message %q; want ≈%v, %q", e.RetryAfter, e.Message, tc.minDelay, tc.want)
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	v := kindtest.Serve(t, kindtest.Reply{Status: 202})
	s := load(t, v)
	for _, tc := range []struct {
		input map[string]any
		want  string
	}{
		{map[string]any{"to": "ada@example.com", "text": "t"}, "with.subject is required (unless with.template_id is given)"},
		{map[string]any{"to": "ada@example.com", "subject": "s"}, "with.text or with.html is required"},
		{map[string]any{"to": "nobody", "subject": "s", "text": "t"}, "with.to must be an email address"},
		{map[string]any{"to": []any{}, "subject": "s", "text": "t"}, "with.to must name at least one address"},
		{map[string]any{"to": "a@b.example", "subject": "s", "text": "t", "template_data": map[string]any{}}, "with.template_data needs with.template_id"},
	} {
		_, err := kindtest.Call(t, s, "mail", "send_email", tc.input, apiKey)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want %q", err, tc.want)
		}
	}
	if v.Count() != 0 {
		t.Error("bad input reached SendGrid")
	}
}

// mailSend stands in for v3 Mail Send as documented (mail-send/errors,
// checked 2026-11-29): an address may appear once across to, cc and bcc of
// a personalization, compared without regard to case; otherwise 400.
func mailSend(t *testing.T) *kindtest.Vendor {
	return kindtest.ServeFunc(t, func(g kindtest.Got) kindtest.Reply {
		var body struct {
			Personalizations []map[string][]struct {
				Email string `json:"email"`
			} `json:"personalizations"`
		}
		if err := json.Unmarshal(g.Body, &body); err != nil || len(body.Personalizations) == 0 {
			return kindtest.Reply{Status: 400, Body: `{"errors": [{"message": "Bad Request", "field": null, "help": null}]}`}
		}
		seen := map[string]bool{}
		for _, f := range []string{"to", "cc", "bcc"} {
			for _, a := range body.Personalizations[0][f] {
				if seen[strings.ToLower(a.Email)] {
					return kindtest.Reply{Status: 400, Body: fmt.Sprintf(`{"errors": [{"message": "Each email address in the personalization block should be unique between to, cc, and bcc. We found the first duplicate instance of [%s] in the personalizations.0.%s field.", "field": "personalizations.0", "help": "http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html#message.recipient-errors"}]}`, a.Email, f)}
				}
				seen[strings.ToLower(a.Email)] = true
			}
		}
		return kindtest.Reply{Status: 202, Header: map[string]string{"X-Message-Id": "W9H3ZyC2QvWkHf0Xq1lS3A"}}
	})
}

// Defect 5 (issue 13): an address in to and in cc or bcc (a customer who
// is also the shop's archive, a payload listing one twice) made SendGrid
// answer 400 and the mail was never sent. Each address goes once, in the
// first of to, cc and bcc it appears in.
func TestDuplicateAddresses(t *testing.T) {
	v := mailSend(t)
	_, err := kindtest.Call(t, load(t, v), "mail", "send_email", map[string]any{
		"to":      []any{"ada@example.com", "Ada Lovelace <ADA@example.com>"},
		"cc":      []any{"ada@example.com", "ops@shop.example"},
		"bcc":     "ops@shop.example, archive@shop.example, Archive@Shop.example",
		"subject": "s", "text": "t",
	}, apiKey)
	if err != nil {
		t.Fatal(err)
	}
	p := v.Last(t).JSON(t)["personalizations"].([]any)[0]
	want := map[string]any{
		"to":  []any{map[string]any{"email": "ada@example.com"}},
		"cc":  []any{map[string]any{"email": "ops@shop.example"}},
		"bcc": []any{map[string]any{"email": "archive@shop.example"}},
	}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("personalization %v\nwant %v", p, want)
	}
}
