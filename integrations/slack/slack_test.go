package slack_test

import (
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/integrations"
	"github.com/hookflow/hookflow/integrations/internal/kindtest"
)

const (
	hookPath = "/services/T00000000/B00000000/XXXXsecretXXXXXXXXXXXXXX"
	hookKey  = "T00000000/B00000000/XXXXsecretXXXXXXXXXXXXXX"
	botToken = "xoxb-1234-5678-secretbot"
)

func loadWebhook(t *testing.T, v *kindtest.Vendor) *integrations.Set {
	return kindtest.Load(t, "ops:\n  kind: slack\n  url: "+v.URL+hookPath+"\n")
}

func loadBot(t *testing.T, v *kindtest.Vendor) *integrations.Set {
	return kindtest.Load(t, "alerts:\n  kind: slack\n  token: "+botToken+"\n  channel: C0DEFAULT\n  base_url: "+v.URL+"/api\n")
}

func TestConfig(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"neither", "ops:\n  kind: slack\n", "hookflow.yaml:2:3: integrations.ops: needs url (an incoming webhook URL) or token (a bot token)"},
		{"both", "ops:\n  kind: slack\n  url: https://hooks.slack.com/services/a/b/c\n  token: xoxb-1\n", "hookflow.yaml:4:10: integrations.ops.token: set url (incoming webhook) or token (bot token), not both"},
		{"channel with webhook", "ops:\n  kind: slack\n  url: https://hooks.slack.com/services/a/b/c\n  channel: C1\n", "integrations.ops.channel: an incoming webhook posts to the channel it was created for"},
		{"bad url", "ops:\n  kind: slack\n  url: hooks.slack.com/services/a/b/secretpart\n", "integrations.ops.url must be an incoming webhook URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := kindtest.LoadErr(t, tc.doc)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "secretpart") {
				t.Errorf("config error quotes the webhook URL: %v", err)
			}
		})
	}
	s := kindtest.Load(t, "ops:\n  kind: slack\n  token: xoxb-1\n")
	if got, err := s.Check("ops", "post_message"); err != nil || !slices.Equal(got, []string{"text"}) {
		t.Errorf("Check = %v, %v", got, err)
	}
	rec, err := s.Build(integrations.Call{Integration: "ops", Operation: "post_message", Input: map[string]any{"text": "hi", "channel": "C1"}})
	if err != nil || rec.URL != "https://slack.com/api/chat.postMessage" {
		t.Errorf("default API URL %q, %v", rec.URL, err)
	}
}

func TestWebhookPost(t *testing.T) {
	v := kindtest.Serve(t, kindtest.Reply{Status: 200, Header: map[string]string{"Content-Type": "text/html"}, Body: "ok"})
	blocks := []any{map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": "*VIP* order"}}}
	res, err := kindtest.Call(t, loadWebhook(t, v), "ops", "post_message", map[string]any{
		"text": "VIP order #1001 <https://shop.example/admin/orders/1|open>", "blocks": blocks, "unfurl_links": false,
	}, hookKey)
	if err != nil {
		t.Fatal(err)
	}
	got := v.Last(t)
	if got.Method != http.MethodPost || got.Path != hookPath {
		t.Errorf("sent %s %s", got.Method, got.Path)
	}
	if got.Header.Get("Content-Type") != "application/json" || got.Header.Get("Authorization") != "" {
		t.Errorf("headers %v", got.Header)
	}
	want := map[string]any{"text": "VIP order #1001 <https://shop.example/admin/orders/1|open>", "blocks": blocks, "unfurl_links": false}
	if body := got.JSON(t); !reflect.DeepEqual(body, want) {
		t.Errorf("body %v\nwant %v", body, want)
	}
	if !reflect.DeepEqual(res.Output, map[string]any{"ok": true}) {
		t.Errorf("output %v", res.Output)
	}
	if strings.Contains(res.Request.URL, "secret") || !strings.Contains(res.Request.URL, "[redacted]") {
		t.Errorf("recorded URL %q", res.Request.URL)
	}
}

func TestWebhookErrors(t *testing.T) {
	for _, tc := range []struct {
		name       string
		reply      kindtest.Reply
		retryable  bool
		retryAfter time.Duration
		want       string
	}{
		{"bad payload", kindtest.Reply{Status: 400, Body: "invalid_payload"}, false, 0, "HTTP 400 Bad Request: invalid_payload"},
		{"revoked", kindtest.Reply{Status: 404, Body: "no_service"}, false, 0, "check the integration's url"},
		// Defect 5 (issue 13): action_prohibited is a workspace admin's
		// restriction on posting (api.slack.com/messaging/webhooks#handling_errors,
		// checked 2026-11-29), not a wrong URL: the old hint sent people to
		// regenerate a URL that was fine.
		{"prohibited", kindtest.Reply{Status: 403, Body: "action_prohibited"}, false, 0, "action_prohibited (a workspace admin restricts posting to this channel or through webhooks; the url is fine"},
		{"general", kindtest.Reply{Status: 403, Body: "posting_to_general_channel_denied"}, false, 0, "posting_to_general_channel_denied (only some members may post to this channel"},
		{"bad token", kindtest.Reply{Status: 403, Body: "invalid_token"}, false, 0, "invalid_token (the incoming webhook URL is wrong or was revoked"},
		{"archived", kindtest.Reply{Status: 410, Body: "channel_is_archived"}, false, 0, "channel_is_archived (the webhook's channel is archived"},
		{"rate limited", kindtest.Reply{Status: 429, Header: map[string]string{"Retry-After": "30"}, Body: "rate_limited"}, true, 30 * time.Second, "HTTP 429"},
		{"slack down", kindtest.Reply{Status: 500, Body: "rollup_error"}, true, 0, "HTTP 500"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := kindtest.Serve(t, tc.reply)
			_, err := kindtest.Call(t, loadWebhook(t, v), "ops", "post_message", map[string]any{"text": "hi"}, hookKey)
			e := kindtest.Failure(t, err, tc.retryable)
			if e.RetryAfter != tc.retryAfter || !strings.Contains(e.Message, tc.want) {
				t.Errorf("RetryAfter %v, message %q; want %v, %q", e.RetryAfter, e.Message, tc.retryAfter, tc.want)
			}
		})
	}
	v := kindtest.Serve(t, kindtest.Reply{Status: 200, Body: "ok"})
	_, err := kindtest.Call(t, loadWebhook(t, v), "ops", "post_message", map[string]any{"text": "hi", "channel": "#general"}, hookKey)
	if err == nil || !strings.Contains(err.Error(), "with.channel: an incoming webhook posts to the channel it was created for") {
		t.Errorf("channel with a webhook: %v", err)
	}
}

func TestChatPostMessage(t *testing.T) {
	v := kindtest.Serve(t, kindtest.Reply{Status: 200, Body: `{"ok": true, "channel": "C0OPS", "ts": "1503435956.000247",
  "message": {"text": "Order paid", "username": "hookflow", "bot_id": "B123", "type": "message", "subtype": "bot_message", "ts": "1503435956.000247"}}`})
	s := loadBot(t, v)
	res, err := kindtest.Call(t, s, "alerts", "post_message", map[string]any{"text": "Order paid", "channel": "C0OPS", "thread_ts": "1503435900.000100"}, botToken)
	if err != nil {
		t.Fatal(err)
	}
	got := v.Last(t)
	if got.Method != http.MethodPost || got.Path != "/api/chat.postMessage" {
		t.Errorf("sent %s %s", got.Method, got.Path)
	}
	if got.Header.Get("Authorization") != "Bearer "+botToken || got.Header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Errorf("headers %v", got.Header)
	}
	want := map[string]any{"channel": "C0OPS", "text": "Order paid", "thread_ts": "1503435900.000100"}
	if body := got.JSON(t); !reflect.DeepEqual(body, want) {
		t.Errorf("body %v, want %v", body, want)
	}
	wantOut := map[string]any{"ok": true, "channel": "C0OPS", "ts": "1503435956.000247", "id": "1503435956.000247"}
	if !reflect.DeepEqual(res.Output, wantOut) {
		t.Errorf("output %v", res.Output)
	}
	if res.Request.Headers["Authorization"] != "[redacted]" {
		t.Errorf("recorded Authorization %q", res.Request.Headers["Authorization"])
	}

	// Without with.channel the integration's channel is used.
	if _, err := kindtest.Call(t, s, "alerts", "post_message", map[string]any{"text": "x"}, botToken); err != nil {
		t.Fatal(err)
	}
	if ch := v.Last(t).JSON(t)["channel"]; ch != "C0DEFAULT" {
		t.Errorf("default channel %v", ch)
	}
}

func TestChatPostMessageErrors(t *testing.T) {
	for _, tc := range []struct {
		name       string
		reply      kindtest.Reply
		retryable  bool
		retryAfter time.Duration
		want       string
	}{
		{"channel_not_found", kindtest.Reply{Status: 200, Body: `{"ok": false, "error": "channel_not_found"}`}, false, 0, "Slack error channel_not_found (invite the app"},
		{"invalid_auth", kindtest.Reply{Status: 200, Body: `{"ok": false, "error": "invalid_auth"}`}, false, 0, "Slack error invalid_auth (check the integration's token"},
		{"missing_scope", kindtest.Reply{Status: 200, Body: `{"ok": false, "error": "missing_scope", "needed": "chat:write", "provided": "channels:read"}`}, false, 0, "needs the chat:write scope"},
		{"ratelimited in body", kindtest.Reply{Status: 200, Header: map[string]string{"Retry-After": "3"}, Body: `{"ok": false, "error": "ratelimited"}`}, true, 3 * time.Second, "Slack error ratelimited"},
		{"internal_error", kindtest.Reply{Status: 200, Body: `{"ok": false, "error": "internal_error"}`}, true, 0, "Slack error internal_error"},
		{"HTTP 429", kindtest.Reply{Status: 429, Header: map[string]string{"Retry-After": "20"}, Body: `{"ok": false, "error": "ratelimited"}`}, true, 20 * time.Second, "HTTP 429 Too Many Requests: ratelimited"},
		{"token echoed", kindtest.Reply{Status: 200, Body: `{"ok": false, "error": "invalid_auth", "detail": "` + botToken + `"}`}, false, 0, "invalid_auth"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := kindtest.Serve(t, tc.reply)
			res, err := kindtest.Call(t, loadBot(t, v), "alerts", "post_message", map[string]any{"text": "hi"}, botToken)
			e := kindtest.Failure(t, err, tc.retryable)
			if e.RetryAfter != tc.retryAfter || !strings.Contains(e.Message, tc.want) {
				t.Errorf("RetryAfter %v, message %q; want %v, %q", e.RetryAfter, e.Message, tc.retryAfter, tc.want)
			}
			if res.Output != nil {
				t.Errorf("output on failure: %v", res.Output)
			}
			if !strings.HasPrefix(e.Message, "alerts.post_message: ") {
				t.Errorf("message %q does not name the step's call", e.Message)
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	v := kindtest.Serve(t, kindtest.Reply{Status: 200, Body: `{"ok": true}`})
	s := kindtest.Load(t, "alerts:\n  kind: slack\n  token: "+botToken+"\n  base_url: "+v.URL+"\n")
	many := make([]any, 51)
	for _, tc := range []struct {
		input map[string]any
		want  string
	}{
		{map[string]any{"text": "x"}, "with.channel is required"},
		{map[string]any{"text": "x", "channel": "C1", "blocks": many}, "with.blocks has 51 blocks; Slack takes at most 50"},
		{map[string]any{"text": "x", "channel": "C1", "blocks": "nope"}, "with.blocks must be a list, got a string"},
		{map[string]any{"text": "x", "channel": "C1", "unfurl_links": "no"}, "with.unfurl_links must be true or false"},
		{map[string]any{"txt": "x"}, "with.text is required"},
	} {
		_, err := kindtest.Call(t, s, "alerts", "post_message", tc.input, botToken)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want %q", tc.input, err, tc.want)
		}
	}
	if v.Count() != 0 {
		t.Errorf("bad input reached Slack")
	}
}
