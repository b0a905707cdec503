package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
)

// Issue 13 defect 4, end to end: the worker fetches an OAuth token, sends
// it, and neither the token nor a vendor's echo of it reaches workflow
// history or the worker's log (canary tokens), even when the step fails
// with the vendor's error text.
func TestE2EOAuthTokenNeverInHistoryOrLogs(t *testing.T) {
	f := getFixture(t)
	id := uniqueID(t)
	resp, ans := f.post(t, id, map[string]any{"kind": "oauthed", "data": map[string]any{"email": "ada@example.com"}})
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("status %d %v", resp.StatusCode, ans)
	}
	wfID := "orders/" + id
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_ = f.client.GetWorkflow(ctx, wfID, "").Get(ctx, nil) // the deny step fails the rule
	var sent []string
	for _, r := range f.receiver.byKey(wfID + "/") {
		sent = append(sent, r.Header.Get("Authorization"))
	}
	if len(sent) < 2 || !strings.HasPrefix(sent[0], "Bearer CANARY-e2e-") {
		t.Fatalf("the vendor got %v, want the fetched token", sent)
	}
	if n := len(f.receiver.byPath("/oauth/token")); n < 1 {
		t.Fatalf("no token was fetched")
	}
	// History as text, with every payload's data decoded (protojson
	// shows it as base64).
	var text strings.Builder
	it := f.client.GetWorkflowHistory(ctx, wfID, "", false, 0)
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := protojson.Marshal(e)
		text.Write(b)
		var v any
		_ = json.Unmarshal(b, &v)
		decodeData(v, &text)
	}
	h := text.String()
	if !strings.Contains(h, `INSUFFICIENT_ACCESS: token Bearer [redacted] may not create Deny`) || !strings.Contains(h, `\"echo\":\"Bearer [redacted]\"`) {
		t.Fatalf("history lacks the failure or the redacted echo: %.3000s", h)
	}
	// The worker logs no step failure today; the check above still
	// catches any log line that would carry a token.
	t.Logf("worker log mentions the failure: %v", strings.Contains(f.workerLog.String(), "INSUFFICIENT_ACCESS"))
	for what, text := range map[string]string{"history": h, "worker log": f.workerLog.String(), "serve log": f.serveLog.String()} {
		if strings.Contains(text, "CANARY-e2e") || strings.Contains(text, "e2e-oauth-client-secret") {
			i := max(strings.Index(text, "CANARY-e2e"), 0)
			t.Errorf("a token or secret reached the %s: …%s…", what, text[max(i-200, 0):min(i+200, len(text))])
		}
	}
}

// decodeData writes the decoded "data" of every payload in v to w.
func decodeData(v any, w *strings.Builder) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && k == "data" {
				if b, err := base64.StdEncoding.DecodeString(s); err == nil {
					w.Write(b)
					w.WriteByte('\n')
				}
				continue
			}
			decodeData(x, w)
		}
	case []any:
		for _, x := range v {
			decodeData(x, w)
		}
	}
}
