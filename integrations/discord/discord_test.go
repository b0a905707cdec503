package discord_test

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/integrations"
	"github.com/hookflow/hookflow/integrations/internal/kindtest"
)

const (
	hookPath  = "/api/webhooks/1122334455/AbCdSecretWebhookToken_xyz"
	hookToken = "AbCdSecretWebhookToken_xyz"
)

func load(t *testing.T, v *kindtest.Vendor) *integrations.Set {
	return kindtest.Load(t, "community:\n  kind: discord\n  url: "+v.URL+hookPath+"\n")
}

func TestConfig(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"missing", "c:\n  kind: discord\n", "integrations.c.url is required"},
		{"query", "c:\n  kind: discord\n  url: https://discord.com/api/webhooks/1/secrettok?wait=true\n", "integrations.c.url must be a webhook URL"},
	} {
		_, err := kindtest.LoadErr(t, tc.doc)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "secrettok") {
			t.Errorf("%s: error %v, want %q without the URL", tc.name, err, tc.want)
		}
	}
}

func TestPostMessage(t *testing.T) {
	v := kindtest.Serve(t, kindtest.Reply{Status: 200, Body: `{"id": "1234567890123456789", "type": 0, "content": "Order #1001 shipped @everyone",
  "channel_id": "998877", "author": {"bot": true, "id": "1122334455", "username": "Shop bot"}, "embeds": [], "webhook_id": "1122334455"}`})
	embeds := []any{map[string]any{"title": "Order #1001", "description": "2 items", "color": float64(5814783)}}
	res, err := kindtest.Call(t, load(t, v), "community", "post_message", map[string]any{
		"content": "Order #1001 shipped @everyone", "embeds": embeds, "username": "Shop bot", "thread_id": float64(42),
	}, hookToken)
	if err != nil {
		t.Fatal(err)
	}
	got := v.Last(t)
	if got.Method != http.MethodPost || got.Path != "/api/v10/webhooks/1122334455/"+hookToken || got.Query != "thread_id=42&wait=true" {
		t.Errorf("sent %s %s?%s", got.Method, got.Path, got.Query)
	}
	if got.Header.Get("Content-Type") != "application/json" {
		t.Errorf("Content-Type %q", got.Header.Get("Content-Type"))
	}
	want := map[string]any{
		"content": "Order #1001 shipped @everyone", "embeds": embeds, "username": "Shop bot",
		"allowed_mentions": map[string]any{"parse": []any{}},
	}
	if body := got.JSON(t); !reflect.DeepEqual(body, want) {
		t.Errorf("body %v\nwant %v", body, want)
	}
	if !reflect.DeepEqual(res.Output, map[string]any{"id": "1234567890123456789", "channel_id": "998877"}) {
		t.Errorf("output %v", res.Output)
	}
	if strings.Contains(res.Request.URL, hookToken) {
		t.Errorf("recorded URL %q", res.Request.URL)
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
		{"rate limited", kindtest.Reply{Status: 429, Header: map[string]string{"Retry-After": "65"}, Body: `{"message": "You are being rate limited.", "retry_after": 64.57, "global": false}`},
			true, 64570 * time.Millisecond, "HTTP 429 Too Many Requests: You are being rate limited."},
		{"global", kindtest.Reply{Status: 429, Body: `{"message": "You are being rate limited.", "retry_after": 1.5, "global": true}`},
			true, 1500 * time.Millisecond, "(global rate limit)"},
		{"unknown webhook", kindtest.Reply{Status: 404, Body: `{"message": "Unknown Webhook", "code": 10015}`}, false, 0, "Unknown Webhook (check the integration's url"},
		{"bad token", kindtest.Reply{Status: 401, Body: `{"message": "Invalid Webhook Token", "code": 50027}`}, false, 0, "Invalid Webhook Token (check"},
		{"invalid form", kindtest.Reply{Status: 400, Body: `{"code": 50035, "errors": {"embeds": {"0": {"description": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 4096 or fewer in length."}]}}}}, "message": "Invalid Form Body"}`},
			false, 0, "HTTP 400 Bad Request: Invalid Form Body"},
		{"cloudflare 502", kindtest.Reply{Status: 502, Body: "<html><head><title>502 Bad Gateway</title></head></html>"}, true, 0, "HTTP 502 Bad Gateway: 502 Bad Gateway"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := kindtest.Serve(t, tc.reply)
			_, err := kindtest.Call(t, load(t, v), "community", "post_message", map[string]any{"content": "hi"}, hookToken)
			e := kindtest.Failure(t, err, tc.retryable)
			if e.RetryAfter != tc.retryAfter || !strings.Contains(e.Message, tc.want) {
				t.Errorf("RetryAfter %v, message %q; want %v, %q", e.RetryAfter, e.Message, tc.retryAfter, tc.want)
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	v := kindtest.Serve(t, kindtest.Reply{Status: 204})
	s := load(t, v)
	for _, tc := range []struct {
		input map[string]any
		want  string
	}{
		{map[string]any{}, "with.content is required (or with.embeds)"},
		{map[string]any{"content": strings.Repeat("é", 2001)}, "with.content has 2001 characters; Discord takes at most 2000"},
		{map[string]any{"content": "x", "embeds": make([]any, 11)}, "with.embeds has 11 embeds"},
		{map[string]any{"content": "x", "tts": "yes"}, "with.tts must be true or false"},
		{map[string]any{"text": "x"}, "with.text: unknown field"},
	} {
		_, err := kindtest.Call(t, s, "community", "post_message", tc.input, hookToken)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want %q", err, tc.want)
		}
	}
	if v.Count() != 0 {
		t.Error("bad input reached Discord")
	}
}

// discordAPI stands in for Discord's execute-webhook route as it answers
// today: a path without a version gets the deprecated default (v6), whose
// 429 carries retry_after in milliseconds; v8 and later answer in seconds.
func discordAPI(t *testing.T) *kindtest.Vendor {
	return kindtest.ServeFunc(t, func(g kindtest.Got) kindtest.Reply {
		versioned := strings.HasPrefix(g.Path, "/api/v10/webhooks/") || strings.HasPrefix(g.Path, "/api/v9/webhooks/")
		if versioned {
			return kindtest.Reply{Status: 429, Header: map[string]string{"Retry-After": "2"},
				Body: `{"message": "You are being rate limited.", "retry_after": 1.5, "global": false}`}
		}
		return kindtest.Reply{Status: 429, Body: `{"message": "You are being rate limited.", "retry_after": 1500, "global": false}`}
	})
}

// Defect 1 (issue 13): the URL users paste has no API version, so Discord
// answered in v6's milliseconds and a 1.5 s limit became a 25-minute wait.
// The version is pinned in the path, and the delay read in its unit.
func TestRateLimitPinsAPIVersion(t *testing.T) {
	for _, tc := range []struct{ configured, sent string }{
		{hookPath, "/api/v10/webhooks/1122334455/" + hookToken},
		{"/api/v10/webhooks/1122334455/" + hookToken, "/api/v10/webhooks/1122334455/" + hookToken},
		{"/api/v9/webhooks/1122334455/" + hookToken, "/api/v9/webhooks/1122334455/" + hookToken},
	} {
		v := discordAPI(t)
		s := kindtest.Load(t, "community:\n  kind: discord\n  url: "+v.URL+tc.configured+"\n  retry: {max_interval: 1h}\n")
		_, err := kindtest.Call(t, s, "community", "post_message", map[string]any{"content": "hi"}, hookToken)
		e := kindtest.Failure(t, err, true)
		if got := v.Last(t).Path; got != tc.sent {
			t.Errorf("%s: sent to %s, want %s", tc.configured, got, tc.sent)
		}
		if e.RetryAfter != 1500*time.Millisecond {
			t.Errorf("%s: RetryAfter %v, want 1.5s", tc.configured, e.RetryAfter)
		}
	}
	_, err := kindtest.LoadErr(t, "c:\n  kind: discord\n  url: https://discord.com/api/v6/webhooks/1/secrettok\n")
	if err == nil || !strings.Contains(err.Error(), "uses Discord API v6, which is deprecated") || strings.Contains(err.Error(), "secrettok") {
		t.Errorf("v6 URL: %v", err)
	}
}
