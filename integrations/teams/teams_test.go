package teams_test

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/integrations"
	"github.com/hookflow/hookflow/integrations/internal/kindtest"
)

const (
	path = "/workflows/4ab1/triggers/manual/paths/invoke"
	sig  = "Zx9secretSIGvalue000111"
)

func load(t *testing.T, v *kindtest.Vendor) *integrations.Set {
	return kindtest.Load(t, "team:\n  kind: teams\n  url: \""+v.URL+path+"?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig="+sig+"\"\n")
}

func TestConfig(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"missing", "team:\n  kind: teams\n", "integrations.team.url is required"},
		{"plain http", "team:\n  kind: teams\n  url: http://prod-1.westeurope.logic.azure.com/x?sig=secretsig\n", "hookflow.yaml:3:8: integrations.team.url must be an https workflow webhook URL"},
	} {
		_, err := kindtest.LoadErr(t, tc.doc)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "secretsig") {
			t.Errorf("%s: error %v, want %q without the URL", tc.name, err, tc.want)
		}
	}
}

func TestPostText(t *testing.T) {
	v := kindtest.Serve(t, kindtest.Reply{Status: 202})
	res, err := kindtest.Call(t, load(t, v), "team", "post_message", map[string]any{"title": "VIP order", "text": "Order #1001 paid: **$1,250**"}, sig)
	if err != nil {
		t.Fatal(err)
	}
	got := v.Last(t)
	if got.Method != http.MethodPost || got.Path != path || !strings.Contains(got.Query, "sig="+sig) {
		t.Errorf("sent %s %s?%s", got.Method, got.Path, got.Query)
	}
	if got.Header.Get("Content-Type") != "application/json" {
		t.Errorf("Content-Type %q", got.Header.Get("Content-Type"))
	}
	want := map[string]any{
		"type": "message",
		"attachments": []any{map[string]any{
			"contentType": "application/vnd.microsoft.card.adaptive",
			"contentUrl":  nil,
			"content": map[string]any{
				"type": "AdaptiveCard", "$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "version": "1.4",
				"body": []any{
					map[string]any{"type": "TextBlock", "text": "VIP order", "weight": "Bolder", "size": "Medium", "wrap": true},
					map[string]any{"type": "TextBlock", "text": "Order #1001 paid: **$1,250**", "wrap": true},
				},
			},
		}},
	}
	if body := got.JSON(t); !reflect.DeepEqual(body, want) {
		t.Errorf("body %v\nwant %v", body, want)
	}
	if !reflect.DeepEqual(res.Output, map[string]any{"accepted": true}) {
		t.Errorf("output %v", res.Output)
	}
	if !strings.Contains(res.Request.URL, "sig=[redacted]") {
		t.Errorf("recorded URL %q", res.Request.URL)
	}
}

func TestPostCard(t *testing.T) {
	v := kindtest.Serve(t, kindtest.Reply{Status: 202})
	card := map[string]any{"type": "AdaptiveCard", "version": "1.5", "body": []any{map[string]any{"type": "FactSet", "facts": []any{map[string]any{"title": "Order", "value": "#1001"}}}}}
	if _, err := kindtest.Call(t, load(t, v), "team", "post_message", map[string]any{"card": card}, sig); err != nil {
		t.Fatal(err)
	}
	content := v.Last(t).JSON(t)["attachments"].([]any)[0].(map[string]any)["content"].(map[string]any)
	if content["version"] != "1.5" || content["$schema"] == nil || content["body"] == nil {
		t.Errorf("card content %v", content)
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
		{"bad card", kindtest.Reply{Status: 400, Body: `{"error":{"code":"InvalidRequestContent","message":"The input body for trigger 'manual' of type 'Request' did not match its schema definition."}}`}, false, 0, "HTTP 400 Bad Request: The input body for trigger"},
		{"bad sig", kindtest.Reply{Status: 401, Body: `{"error":{"code":"DirectApiAuthorizationRequired","message":"The request must be authenticated only by Shared Access scheme."}}`}, false, 0, "check the integration's url"},
		{"workflow gone", kindtest.Reply{Status: 404, Body: `{"error":{"code":"WorkflowNotFound","message":"The workflow '4ab1' could not be found."}}`}, false, 0, "could not be found. (check the integration's url"},
		{"throttled", kindtest.Reply{Status: 429, Header: map[string]string{"Retry-After": "12"}, Body: `{"error":{"code":"WorkflowRequestsThrottled","message":"Number of requests exceeded the limit."}}`}, true, 12 * time.Second, "HTTP 429"},
		{"down", kindtest.Reply{Status: 502}, true, 0, "HTTP 502"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := kindtest.Serve(t, tc.reply)
			_, err := kindtest.Call(t, load(t, v), "team", "post_message", map[string]any{"text": "hi"}, sig)
			e := kindtest.Failure(t, err, tc.retryable)
			if e.RetryAfter != tc.retryAfter || !strings.Contains(e.Message, tc.want) {
				t.Errorf("RetryAfter %v, message %q; want %v, %q", e.RetryAfter, e.Message, tc.retryAfter, tc.want)
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
		{map[string]any{}, "with.text is required (or give a full Adaptive Card as with.card)"},
		{map[string]any{"text": "a", "card": map[string]any{}}, "give either a card or text"},
		{map[string]any{"card": map[string]any{"type": "MessageCard"}}, "with.card.type must be AdaptiveCard"},
		{map[string]any{"text": strings.Repeat("x", 30<<10)}, "Teams takes about 28672 at most"},
		{map[string]any{"body": "x"}, "with.body: unknown field (takes: card, text, title)"},
	} {
		_, err := kindtest.Call(t, s, "team", "post_message", tc.input, sig)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want %q", err, tc.want)
		}
	}
	if v.Count() != 0 {
		t.Error("bad input reached Teams")
	}
}

// workflowTrigger stands in for a Teams Workflows "when a webhook request
// is received" trigger (checked 2026-11-29): it answers 202 as soon as the
// flow run is queued, whatever the card; a card Teams cannot post fails
// the flow run later, where only Power Automate's run history shows it.
func workflowTrigger(t *testing.T) (*kindtest.Vendor, *[]string) {
	var runs []string
	v := kindtest.ServeFunc(t, func(g kindtest.Got) kindtest.Reply {
		var msg struct {
			Attachments []struct {
				Content map[string]any `json:"content"`
			} `json:"attachments"`
		}
		outcome := "posted"
		if json.Unmarshal(g.Body, &msg) != nil || len(msg.Attachments) == 0 || msg.Attachments[0].Content["body"] == nil {
			outcome = "failed: the card has no body"
		}
		runs = append(runs, outcome)
		return kindtest.Reply{Status: 202}
	})
	return v, &runs
}

// Defect 5 (issue 13), documented: a 202 means the flow run was queued,
// not that the card was posted, so a card Teams rejects does not fail the
// step; the output says no more than accepted.
func TestAcceptedIsNotPosted(t *testing.T) {
	v, runs := workflowTrigger(t)
	res, err := kindtest.Call(t, load(t, v), "team", "post_message", map[string]any{"card": map[string]any{"type": "AdaptiveCard"}}, sig)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(res.Output, map[string]any{"accepted": true}) || res.Response.Status != 202 {
		t.Errorf("output %v, status %d", res.Output, res.Response.Status)
	}
	if (*runs)[0] == "posted" {
		t.Errorf("the stand-in should have failed the flow run")
	}
}
