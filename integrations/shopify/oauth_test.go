package shopify_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/hookflow/hookflow/integrations/internal/kindtest"
	"github.com/hookflow/hookflow/integrations/internal/tokentest"
)

// devShop stands in for a shop with a Dev Dashboard app installed: POST
// /admin/oauth/access_token takes the client credentials grant (form body:
// grant_type, client_id, client_secret) and answers a token that lives
// 24 hours (expires_in 86399), as
// shopify.dev/docs/apps/build/authentication-authorization/access-tokens/client-credentials-grant
// documents it (checked 2026-11-29); the Admin API takes only a token it
// issued, and answers 401 otherwise.
type devShop struct {
	url    string
	tokens *tokentest.Server
	mu     sync.Mutex
	sent   []string
}

func startDevShop(t *testing.T) *devShop {
	d := &devShop{tokens: &tokentest.Server{ClientID: "a1b2c3-client-id", ClientSecret: "shpss_client_secret", ExpiresIn: 86399,
		Path: "/admin/oauth/access_token", Prefix: "CANARY-shpat"}}
	tokenEndpoint := d.tokens.Mount()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/admin/oauth/access_token" {
			tokenEndpoint.ServeHTTP(w, r)
			return
		}
		tok := r.Header.Get("X-Shopify-Access-Token")
		d.mu.Lock()
		d.sent = append(d.sent, tok)
		d.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path != "/admin/api/2026-10/graphql.json" || !d.tokens.Valid(tok) {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}`))
			return
		}
		w.Write([]byte(`{"data": {"tagsAdd": {"node": {"id": "gid://shopify/Order/5678"}, "userErrors": []}}}`))
	}))
	t.Cleanup(srv.Close)
	d.url = srv.URL
	return d
}

// Issue 13 defect 4: new Shopify custom apps get 24-hour tokens by the
// client credentials grant. The worker fetches one from the shop itself,
// sends it as X-Shopify-Access-Token, reuses it, and fetches another when
// the shop stops taking it.
func TestClientCredentialsToken(t *testing.T) {
	d := startDevShop(t)
	s := kindtest.Load(t, "shop:\n  kind: shopify\n  base_url: "+d.url+"\n  oauth:\n    client_id: a1b2c3-client-id\n    client_secret: shpss_client_secret\n")
	tag := func() error {
		_, err := kindtest.Call(t, s, "shop", "tag_order", map[string]any{"order_id": 5678, "tags": "vip"}, "CANARY", "shpss_client_secret")
		return err
	}
	for range 2 {
		if err := tag(); err != nil {
			t.Fatal(err)
		}
	}
	issued, sent := d.tokens.Issued(), d.got()
	if len(issued) != 1 || sent[0] != issued[0] || sent[1] != issued[0] {
		t.Fatalf("issued %v, sent %v: want one token, reused", issued, sent)
	}
	if g := d.tokens.Grants(); g[0] != "client_credentials" {
		t.Errorf("grants %v", g)
	}
	// The app's secret was rotated and the old token revoked: Shopify
	// answers 401; one new token, one resend.
	d.revoke()
	if err := tag(); err != nil {
		t.Fatalf("a revoked token should be replaced: %v", err)
	}
	issued, sent = d.tokens.Issued(), d.got()
	if len(issued) != 3 || sent[len(sent)-1] != issued[2] {
		t.Errorf("issued %v, sent %v: want the third token (after the one revoke took) sent last", issued, sent)
	}
}

func (d *devShop) got() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.sent...)
}

// revoke makes the shop refuse every token issued so far, by issuing one
// nobody holds (Valid takes only the newest).
func (d *devShop) revoke() {
	req, _ := http.NewRequest(http.MethodPost, d.url+"/admin/oauth/access_token",
		strings.NewReader("grant_type=client_credentials&client_id=a1b2c3-client-id&client_secret=shpss_client_secret"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
	}
}

func TestOAuthConfig(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"no secret", "shop:\n  kind: shopify\n  base_url: https://acme.myshopify.com\n  oauth:\n    client_id: a\n", "integrations.shop.oauth.client_secret is required by grant client_credentials"},
		{"other grant", "shop:\n  kind: shopify\n  base_url: https://acme.myshopify.com\n  oauth:\n    grant: jwt_bearer\n", "hookflow.yaml:5:12: integrations.shop.oauth.grant must be one of: client_credentials"},
		{"neither", "shop:\n  kind: shopify\n  base_url: https://acme.myshopify.com\n", "integrations.shop.token is required (an Admin API access token, e.g. ${SHOPIFY_TOKEN}), or oauth (client_credentials)"},
	} {
		_, err := kindtest.LoadErr(t, tc.doc)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
}
