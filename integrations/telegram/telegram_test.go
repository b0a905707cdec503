package telegram_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/integrations"
	"github.com/hookflow/hookflow/integrations/internal/kindtest"
)

// canary is a bot token shaped as @BotFather gives them; it must never
// appear in anything recorded, returned or shown.
const (
	canary    = "7123456789:AAcanaryTOKEN-canary_TOKENcanaryTOKENcan"
	canarySec = "AAcanaryTOKEN-canary_TOKENcanaryTOKENcan"
)

// botAPI stands in for the Bot API as documented
// (core.telegram.org/bots/api, Bot API 10.3, checked 2026-11-29): the
// token in the path /bot<token>/METHOD, JSON bodies, answers
// {"ok": true, "result": Message} or {"ok": false, "error_code",
// "description", "parameters"}; an unknown token is 401, an unknown method
// 404.
func botAPI(t *testing.T, fail func(body map[string]any) (kindtest.Reply, bool)) *kindtest.Vendor {
	next := int64(100)
	return kindtest.ServeFunc(t, func(g kindtest.Got) kindtest.Reply {
		token, method, ok := strings.Cut(strings.TrimPrefix(g.Path, "/bot"), "/")
		switch {
		case !strings.HasPrefix(g.Path, "/bot") || !ok:
			return tgError(404, "Not Found", nil)
		case token != canary:
			return tgError(401, "Unauthorized", nil)
		case method != "sendMessage":
			return tgError(404, "Not Found: method not found", nil)
		case g.Header.Get("Content-Type") != "application/json":
			return tgError(400, "Bad Request: message text is empty", nil)
		}
		var body map[string]any
		if err := json.Unmarshal(g.Body, &body); err != nil {
			return tgError(400, "Bad Request: can't parse JSON", nil)
		}
		if rep, failed := fail(body); failed {
			return rep
		}
		text, _ := body["text"].(string)
		if text == "" {
			return tgError(400, "Bad Request: message text is empty", nil)
		}
		if body["parse_mode"] == "HTML" && strings.Count(text, "<") != strings.Count(text, ">") {
			return tgError(400, "Bad Request: can't parse entities: Unclosed start tag at byte offset 3", nil)
		}
		chat := body["chat_id"]
		var chatID any = chat
		if s, ok := chat.(string); ok {
			if !strings.HasPrefix(s, "@") {
				return tgError(400, "Bad Request: chat not found", nil)
			}
			chatID = -1009876543210
		}
		next++
		b, _ := json.Marshal(map[string]any{"ok": true, "result": map[string]any{
			"message_id": next, "date": 1764400000, "text": text,
			"chat": map[string]any{"id": chatID, "type": "supergroup", "title": "Ops"},
			"from": map[string]any{"id": 7123456789, "is_bot": true, "first_name": "Hookflow", "username": "hookflow_bot"},
		}})
		return kindtest.Reply{Status: 200, Body: string(b)}
	})
}

func tgError(code int, desc string, params map[string]any) kindtest.Reply {
	m := map[string]any{"ok": false, "error_code": code, "description": desc}
	if params != nil {
		m["parameters"] = params
	}
	b, _ := json.Marshal(m)
	return kindtest.Reply{Status: code, Body: string(b)}
}

func none(map[string]any) (kindtest.Reply, bool) { return kindtest.Reply{}, false }

func load(t *testing.T, v *kindtest.Vendor, extra string) *integrations.Set {
	return kindtest.Load(t, `
alerts:
  kind: telegram
  base_url: `+v.URL+`
  token: "`+canary+`"
  chat_id: "-1001234567890"
  retry: { max_interval: 1m }
`+extra)
}

func TestConfig(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"token missing", "a:\n  kind: telegram\n", "integrations.a.token is required (the bot token from @BotFather"},
		{"token not a bot token", "a:\n  kind: telegram\n  token: \"../" + canarySec + "\"\n", "must be a bot token as @BotFather gives it"},
		{"token with a slash", "a:\n  kind: telegram\n  token: \"1:a/b\"\n", "must be a bot token"},
		{"bad chat", "a:\n  kind: telegram\n  token: \"1:a\"\n  chat_id: general\n", "chat_id must be a chat id"},
		{"bad parse_mode", "a:\n  kind: telegram\n  token: \"1:a\"\n  parse_mode: html\n", "parse_mode must be one of HTML, MarkdownV2, Markdown"},
		{"plain http elsewhere", "a:\n  kind: telegram\n  token: \"1:a\"\n  base_url: http://tg.example\n", "base_url must be https"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := kindtest.LoadErr(t, tc.doc)
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), canarySec) {
				t.Fatalf("error %v, want it to contain %q (and no token)", err, tc.want)
			}
		})
	}
	s := kindtest.Load(t, "a:\n  kind: telegram\n  token: \""+canary+"\"\n  chat_id: \"@acme_ops\"\n")
	rec, err := s.Build(integrations.Call{Integration: "a", Operation: "send_message", Input: map[string]any{"text": "hi"}})
	if err != nil || rec.URL != "https://api.telegram.org/bot[redacted]/sendMessage" || rec.Body != `{"chat_id":"@acme_ops","text":"hi"}` {
		t.Errorf("built %+v %v", rec, err)
	}
}

// The request Telegram documents: POST /bot<token>/sendMessage with JSON,
// chat_id a number (or @username), the options under their Bot API names.
func TestSendMessage(t *testing.T) {
	v := botAPI(t, none)
	s := load(t, v, "  parse_mode: HTML\n")
	res, err := kindtest.Call(t, s, "alerts", "send_message", map[string]any{
		"text":                 "<b>Paid</b> order #1001 & co",
		"disable_notification": true,
		"link_preview":         false,
		"message_thread_id":    "42",
		"reply_markup":         map[string]any{"inline_keyboard": []any{[]any{map[string]any{"text": "Open", "url": "https://shop.example/orders/1001"}}}},
	}, canary, canarySec)
	if err != nil {
		t.Fatal(err)
	}
	g := v.Last(t)
	if g.Method != http.MethodPost || g.Path != "/bot"+canary+"/sendMessage" {
		t.Errorf("sent %s %s", g.Method, g.Path)
	}
	want := map[string]any{
		"chat_id": float64(-1001234567890), "text": "<b>Paid</b> order #1001 & co", "parse_mode": "HTML",
		"disable_notification": true, "link_preview_options": map[string]any{"is_disabled": true}, "message_thread_id": float64(42),
		"reply_markup": map[string]any{"inline_keyboard": []any{[]any{map[string]any{"text": "Open", "url": "https://shop.example/orders/1001"}}}},
	}
	if body := g.JSON(t); !reflect.DeepEqual(body, want) {
		t.Errorf("body %v\nwant %v", body, want)
	}
	if out := res.Output.(map[string]any); out["id"] != int64(101) || out["message_id"] != int64(101) || out["chat_id"] != int64(-1001234567890) || out["date"] != int64(1764400000) {
		t.Errorf("output %v", out)
	}
	if res.Request.URL != v.URL+"/bot[redacted]/sendMessage" {
		t.Errorf("recorded URL %s", res.Request.URL)
	}
	// A channel by @username, without the default parse_mode.
	if _, err := kindtest.Call(t, s, "alerts", "send_message", map[string]any{"text": "hi", "chat_id": "@acme_ops", "parse_mode": nil}, canary); err != nil {
		t.Fatal(err)
	}
	if body := v.Last(t).JSON(t); body["chat_id"] != "@acme_ops" || body["parse_mode"] != "HTML" {
		t.Errorf("body %v", body)
	}
}

// The token in the path never appears in what is recorded, returned or
// built — not when Telegram echoes the path back, not when nothing answers.
func TestTokenNeverShown(t *testing.T) {
	echo := kindtest.ServeFunc(t, func(g kindtest.Got) kindtest.Reply {
		return tgError(404, "Not Found: "+g.Path+" ("+strings.ReplaceAll(g.Path, ":", "%3A")+")", nil)
	})
	s := load(t, echo, "")
	res, err := kindtest.Call(t, s, "alerts", "send_message", map[string]any{"text": "hi"}, canary, canarySec, "7123456789%3A"+canarySec)
	if e := kindtest.Failure(t, err, false); !strings.Contains(e.Message, "/bot[redacted]/sendMessage") || !strings.Contains(e.Message, "check the integration's token") {
		t.Errorf("message %q", e.Message)
	}
	if res.Response == nil || strings.Contains(res.Response.Body, canarySec) {
		t.Errorf("response %+v", res.Response)
	}
	rec, err := s.Build(integrations.Call{Integration: "alerts", Operation: "send_message", Input: map[string]any{"text": "hi"}})
	if err != nil || strings.Contains(fmt.Sprint(rec), canarySec) {
		t.Errorf("built %+v %v", rec, err)
	}
	// Nothing listens: the network error names the redacted URL.
	dead := kindtest.Serve(t, kindtest.Reply{Status: 200})
	s = load(t, dead, "  timeout: 2s\n")
	dead.Close()
	res, err = kindtest.Call(t, s, "alerts", "send_message", map[string]any{"text": "hi"}, canary, canarySec)
	if e := kindtest.Failure(t, err, true); !strings.Contains(e.Message, "/bot[redacted]/sendMessage") {
		t.Errorf("network error %q", e.Message)
	}
	if strings.Contains(fmt.Sprint(res, err), canarySec) {
		t.Errorf("leaked: %v %v", res, err)
	}
}

func TestErrorClasses(t *testing.T) {
	for _, tc := range []struct {
		name       string
		reply      kindtest.Reply
		retryable  bool
		retryAfter time.Duration
		want       string
	}{
		{"429 retry_after", tgError(429, "Too Many Requests: retry after 35", map[string]any{"retry_after": 35}), true, 35 * time.Second, "Too Many Requests: retry after 35"},
		{"429 retry_after past max_interval", tgError(429, "Too Many Requests: retry after 5000", map[string]any{"retry_after": 5000}), true, time.Minute, "retry after 5000"},
		{"400 migrated", tgError(400, "Bad Request: group chat was upgraded to a supergroup chat", map[string]any{"migrate_to_chat_id": -1001987654321}), false, 0, "use chat_id -1001987654321"},
		{"400 chat not found", tgError(400, "Bad Request: chat not found", nil), false, 0, "HTTP 400 Bad Request: Bad Request: chat not found"},
		{"403 blocked", tgError(403, "Forbidden: bot was blocked by the user", nil), false, 0, "the bot cannot post in this chat"},
		{"401 token", tgError(401, "Unauthorized", nil), false, 0, "check the integration's token"},
		{"502", kindtest.Reply{Status: 502, Body: "<html><title>502 Bad Gateway</title></html>"}, true, 0, "HTTP 502"},
		{"200 not ok", kindtest.Reply{Status: 200, Body: `{"ok":false,"error_code":400,"description":"Bad Request: odd"}`}, false, 0, "Telegram: Bad Request: odd"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := kindtest.Serve(t, tc.reply)
			_, err := kindtest.Call(t, load(t, v, ""), "alerts", "send_message", map[string]any{"text": "hi"}, canary, canarySec)
			e := kindtest.Failure(t, err, tc.retryable)
			if e.RetryAfter != tc.retryAfter || !strings.Contains(e.Message, tc.want) {
				t.Errorf("%q (after %v), want %q (after %v)", e.Message, e.RetryAfter, tc.want, tc.retryAfter)
			}
		})
	}
	// A parse_mode error says what to fix.
	v := botAPI(t, none)
	_, err := kindtest.Call(t, load(t, v, "  parse_mode: HTML\n"), "alerts", "send_message", map[string]any{"text": "<b oops"}, canary)
	if e := kindtest.Failure(t, err, false); !strings.Contains(e.Message, "not valid for its parse_mode") {
		t.Errorf("parse error %q", e.Message)
	}
}

func TestBadInput(t *testing.T) {
	v := botAPI(t, none)
	s := kindtest.Load(t, "alerts:\n  kind: telegram\n  base_url: "+v.URL+"\n  token: \""+canary+"\"\n")
	for _, tc := range []struct {
		with map[string]any
		want string
	}{
		{map[string]any{"text": "hi"}, "with.chat_id is required (or set chat_id on the integration)"},
		{map[string]any{"text": "hi", "chat_id": "general"}, "with.chat_id must be a chat id"},
		{map[string]any{"text": "hi", "chat_id": []any{1}}, "with.chat_id must be a chat id or @username, got a list"},
		{map[string]any{"text": strings.Repeat("é", 4097), "chat_id": 1}, "with.text has 4097 characters; Telegram takes at most 4096"},
		{map[string]any{"text": "hi", "chat_id": 1, "parse_mode": "markdown"}, "with.parse_mode must be one of HTML, MarkdownV2, Markdown"},
		{map[string]any{"text": "hi", "chat_id": 1, "link_preview": "no"}, "with.link_preview must be true or false"},
		{map[string]any{"text": "hi", "chat_id": 1, "silent": true}, "with.silent: unknown field"},
		{map[string]any{"text": "", "chat_id": 1}, "with.text must not be empty"},
	} {
		_, err := kindtest.Call(t, s, "alerts", "send_message", tc.with, canary)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.with, err, tc.want)
		}
	}
	if v.Count() != 0 {
		t.Errorf("bad input reached Telegram %d times", v.Count())
	}
}
