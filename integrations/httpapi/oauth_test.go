package httpapi_test

import (
	"strings"
	"testing"

	"github.com/hookflow/hookflow/integrations/internal/kindtest"
	"github.com/hookflow/hookflow/integrations/internal/tokentest"
)

// Any API behind an OAuth 2.0 token endpoint: the http kind sends a
// bearer token the worker fetched, and records it redacted.
func TestOAuth(t *testing.T) {
	tokens := tokentest.Start(t, &tokentest.Server{ClientID: "erp-client", ClientSecret: "erp-secret", ExpiresIn: 3600, Scope: "orders.write"})
	v := kindtest.ServeFunc(t, func(g kindtest.Got) kindtest.Reply {
		if !tokens.Valid(strings.TrimPrefix(g.Header.Get("Authorization"), "Bearer ")) {
			return kindtest.Reply{Status: 401, Body: `{"error": "invalid_token"}`}
		}
		return kindtest.Reply{Status: 200, Body: `{"id": 7, "seen": "` + g.Header.Get("Authorization") + `"}`}
	})
	s := kindtest.Load(t, "erp:\n  kind: http\n  base_url: "+v.URL+"\n  oauth:\n    token_url: "+tokens.URL+
		"\n    client_id: erp-client\n    client_secret: erp-secret\n    scopes: [orders.write]\n")
	res, err := kindtest.Call(t, s, "erp", "request", map[string]any{"method": "POST", "path": "/orders", "body": map[string]any{"n": 1}}, "CANARY", "erp-secret")
	if err != nil {
		t.Fatal(err)
	}
	if res.Request.Headers["Authorization"] != "[redacted]" || !strings.Contains(res.Response.Body, `"seen": "Bearer [redacted]"`) {
		t.Errorf("recorded %v %s", res.Request.Headers, res.Response.Body)
	}
	_, err = kindtest.LoadErr(t, "erp:\n  kind: http\n  base_url: https://erp.example\n  auth: {type: bearer, token: x}\n  oauth: {token_url: https://erp.example/t, client_id: a, client_secret: b}\n")
	if err == nil || !strings.Contains(err.Error(), "hookflow.yaml:5:10: integrations.erp.oauth must not be set with auth") {
		t.Errorf("auth and oauth: %v", err)
	}
}

// A credential the vendor echoes in a field the output keeps is redacted
// there too: outputs land in history and in later steps' templates.
func TestOutputRedacted(t *testing.T) {
	v := kindtest.ServeFunc(t, func(g kindtest.Got) kindtest.Reply {
		return kindtest.Reply{Status: 200, Body: `{"debug": {"auth": "` + g.Header.Get("Authorization") + `"}, "list": ["` + g.Header.Get("Authorization") + `"]}`}
	})
	s := kindtest.Load(t, "erp:\n  kind: http\n  base_url: "+v.URL+"\n  auth: {type: bearer, token: "+secret+"}\n")
	res, err := kindtest.Call(t, s, "erp", "request", map[string]any{"path": "/me"}, secret)
	if err != nil {
		t.Fatal(err)
	}
	body := res.Output.(map[string]any)["body"].(map[string]any)
	if body["debug"].(map[string]any)["auth"] != "Bearer [redacted]" || body["list"].([]any)[0] != "Bearer [redacted]" {
		t.Errorf("output %v", body)
	}
}
