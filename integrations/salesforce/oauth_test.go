package salesforce_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookflow/hookflow/integrations"
	"github.com/hookflow/hookflow/integrations/internal/kindtest"
	"github.com/hookflow/hookflow/integrations/internal/tokentest"
)

// org stands in for a Salesforce org whose sessions end: a token the org
// has ended (session timeout, revoked) answers 401 INVALID_SESSION_ID, as
// the REST API does (errorcodes.htm, v60.0).
type org struct {
	*kindtest.Vendor
	mu    sync.Mutex
	ended map[string]bool
}

func startOrg(t *testing.T, tokens *tokentest.Server) *org {
	o := &org{ended: map[string]bool{}}
	o.Vendor = kindtest.ServeFunc(t, func(g kindtest.Got) kindtest.Reply {
		tok, _ := strings.CutPrefix(g.Header.Get("Authorization"), "Bearer ")
		o.mu.Lock()
		ended := o.ended[tok]
		o.mu.Unlock()
		if ended || !strings.HasPrefix(tok, "CANARY-tok") {
			return kindtest.Reply{Status: 401, Body: `[{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]`}
		}
		return kindtest.Reply{Status: 201, Body: `{"id": "00Q5e000001abcDEAA", "errors": [], "success": true}`}
	})
	return o
}

// end ends every session issued so far.
func (o *org) end(tokens []string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, t := range tokens {
		o.ended[t] = true
	}
}

func jwtDoc(instance, tokenURL, key string) string {
	return "sf:\n  kind: salesforce\n  instance_url: " + instance + "\n  oauth:\n" +
		"    grant: jwt_bearer\n    token_url: " + tokenURL + "\n    client_id: 3MVG9-consumer-key\n" +
		"    subject: integration@acme.example\n    private_key: \"" + strings.ReplaceAll(key, "\n", `\n`) + "\"\n"
}

// Issue 13 defect 4: a Salesforce session ends (the org's timeout, 2 h by
// default); the 401 INVALID_SESSION_ID fetches a new token by the JWT
// bearer flow and resends once, instead of failing the step for good.
func TestInvalidSessionRefreshes(t *testing.T) {
	priv, pemKey := tokentest.Key(t)
	tokens := tokentest.Start(t, &tokentest.Server{Key: &priv.PublicKey, Issuer: "3MVG9-consumer-key",
		Subject: "integration@acme.example", Audience: "https://login.salesforce.com", MaxLifetime: 3 * time.Minute})
	o := startOrg(t, tokens)
	s := kindtest.Load(t, jwtDoc(o.URL, tokens.URL, pemKey))
	create := func() (integrations.Result, error) {
		return kindtest.Call(t, s, "sf", "create_record", map[string]any{"object": "Lead", "fields": map[string]any{"LastName": "Lovelace"}}, "CANARY", pemKey)
	}
	if _, err := create(); err != nil {
		t.Fatal(err)
	}
	o.end(tokens.Issued())
	res, err := create()
	if err != nil {
		t.Fatalf("an ended session should refresh and retry: %v", err)
	}
	if res.Output.(map[string]any)["id"] != "00Q5e000001abcDEAA" {
		t.Errorf("output %v", res.Output)
	}
	issued, all := tokens.Issued(), o.All()
	if len(issued) != 2 || len(all) != 3 || all[2].Header.Get("Authorization") != "Bearer "+issued[1] {
		t.Errorf("issued %v; the org got %d requests", issued, len(all))
	}
	for _, g := range tokens.Grants() {
		if g != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
			t.Errorf("grant %q", g)
		}
	}
	// The new session ends too, and so does the next: the step fails,
	// after one refresh, and says what to check.
	tokens.Fail(&tokentest.Failure{Status: 400, Body: `{"error": "invalid_grant", "error_description": "user hasn't approved this consumer"}`})
	o.end(tokens.Issued())
	_, err = create()
	e := kindtest.Failure(t, err, false)
	if !strings.Contains(e.Message, "invalid_grant: user hasn't approved this consumer") || !strings.Contains(e.Message, "oauth") {
		t.Errorf("message %q", e.Message)
	}
}

// The refresh token flow (a connected app's refresh token), with the
// client secret in the form body as Salesforce documents it.
func TestRefreshTokenGrant(t *testing.T) {
	tokens := tokentest.Start(t, &tokentest.Server{ClientID: "3MVG9-consumer-key", ClientSecret: "sf-consumer-secret", RefreshToken: "5Aep861-refresh"})
	o := startOrg(t, tokens)
	s := kindtest.Load(t, "sf:\n  kind: salesforce\n  instance_url: "+o.URL+"\n  oauth:\n    grant: refresh_token\n    token_url: "+tokens.URL+
		"\n    client_id: 3MVG9-consumer-key\n    client_secret: sf-consumer-secret\n    refresh_token: 5Aep861-refresh\n")
	_, err := kindtest.Call(t, s, "sf", "create_record", map[string]any{"object": "Lead", "fields": map[string]any{"LastName": "L"}}, "CANARY", "sf-consumer-secret", "5Aep861-refresh")
	if err != nil {
		t.Fatal(err)
	}
	if g := tokens.Grants(); len(g) != 1 || g[0] != "refresh_token" {
		t.Errorf("grants %v", g)
	}
	if o.Last(t).Method != http.MethodPost {
		t.Errorf("sent %s", o.Last(t).Method)
	}
}

// The OAuth settings are checked at load, at their lines; the defaults are
// Salesforce's (token_url below instance_url, aud login.salesforce.com).
func TestOAuthConfig(t *testing.T) {
	_, pemKey := tokentest.Key(t)
	for _, tc := range []struct{ name, doc, want string }{
		{"token and oauth", "sf:\n  kind: salesforce\n  instance_url: https://acme.my.salesforce.com\n  token: x\n  oauth:\n    client_id: a\n", "hookflow.yaml:4:10: integrations.sf.token must not be set with oauth"},
		{"no subject", "sf:\n  kind: salesforce\n  instance_url: https://acme.my.salesforce.com\n  oauth:\n    client_id: a\n    private_key: \"" + strings.ReplaceAll(pemKey, "\n", `\n`) + "\"\n", "integrations.sf.oauth.subject is required by grant jwt_bearer"},
		{"bad key", "sf:\n  kind: salesforce\n  instance_url: https://acme.my.salesforce.com\n  oauth:\n    client_id: a\n    subject: u@x.example\n    private_key: abc\n", "hookflow.yaml:7:18: integrations.sf.oauth.private_key must be a PEM private key"},
		{"grant", "sf:\n  kind: salesforce\n  instance_url: https://acme.my.salesforce.com\n  oauth:\n    grant: password\n", "hookflow.yaml:5:12: integrations.sf.oauth.grant must be one of: jwt_bearer, refresh_token, client_credentials"},
		{"unknown", "sf:\n  kind: salesforce\n  instance_url: https://acme.my.salesforce.com\n  oauth:\n    client_idd: a\n", "hookflow.yaml:5:5: integrations.sf.oauth: unknown field \"client_idd\""},
	} {
		_, err := kindtest.LoadErr(t, tc.doc)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
	s := kindtest.Load(t, "sf:\n  kind: salesforce\n  instance_url: https://acme.my.salesforce.com\n  oauth:\n    client_id: a\n    subject: u@x.example\n    private_key: \""+strings.ReplaceAll(pemKey, "\n", `\n`)+"\"\n")
	rec, err := s.Build(integrations.Call{Integration: "sf", Operation: "create_record", Input: map[string]any{"object": "Lead", "fields": map[string]any{"LastName": "L"}}})
	if err != nil || rec.Headers["Authorization"] != "[redacted]" {
		t.Errorf("Build: %v %v", rec.Headers, err)
	}
}
