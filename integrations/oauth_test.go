package integrations

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookflow/hookflow/integrations/internal/tokentest"
)

// api is a vendor stand-in that takes only the token endpoint's newest
// token (an older one answers 401, as a revoked or expired token does) and
// echoes the Authorization header it got, as some vendors' error and debug
// answers do.
type api struct {
	srv   *httptest.Server
	mu    sync.Mutex
	auths []string
}

func startAPI(t *testing.T, tokens *tokentest.Server) *api {
	a := &api{}
	a.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		a.mu.Lock()
		a.auths = append(a.auths, h)
		a.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if !tokens.Valid(strings.TrimPrefix(h, "Bearer ")) {
			w.WriteHeader(http.StatusUnauthorized)
			json.NewEncoder(w).Encode(map[string]string{"message": "invalid token " + h})
			return
		}
		json.NewEncoder(w).Encode(map[string]string{"ok": "yes", "echo": h})
	}))
	t.Cleanup(a.srv.Close)
	return a
}

func (a *api) sent() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.auths...)
}

// oauthSet is a Set with one integration "v" whose Bearer token comes
// from cfg.
func oauthSet(t *testing.T, base string, cfg *OAuthConfig, k OAuthKind) (*Set, *OAuth) {
	t.Helper()
	p := NewProblems(nil)
	o := p.OAuth(cfg, k)
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	in := &Integration{Name: "v", Auth: Bearer(o), Secrets: o.secrets,
		Operations: vendorAPI(t, base).Operations(map[string]*Op{"o": {Path: "x"}})}
	return NewSet(loopback, in), o
}

var clientCreds = OAuthKind{Grants: []string{ClientCredentials, RefreshToken, JWTBearer}}

func ccConfig(tokens *tokentest.Server) *OAuthConfig {
	return &OAuthConfig{Grant: ClientCredentials, TokenURL: tokens.URL, ClientID: "app-1", ClientSecret: "app-secret-1"}
}

func call(s *Set) (Result, error) {
	return s.Call(context.Background(), Call{Integration: "v", Operation: "o", IdempotencyKey: "wf/r/s"})
}

// Issue 13 defect 4: a token is fetched once and reused while it is
// valid, not fetched per call.
func TestOAuthCachesToken(t *testing.T) {
	tokens := tokentest.Start(t, &tokentest.Server{ClientID: "app-1", ClientSecret: "app-secret-1", ExpiresIn: 86399})
	a := startAPI(t, tokens)
	s, _ := oauthSet(t, a.srv.URL, ccConfig(tokens), clientCreds)
	if rec, err := s.Build(Call{Integration: "v", Operation: "o"}); err != nil || rec.Headers["Authorization"] != "[redacted]" || len(tokens.Issued()) != 0 {
		t.Fatalf("Build fetched a token or showed one: %v %v, issued %v", rec.Headers, err, tokens.Issued())
	}
	for range 3 {
		if _, err := call(s); err != nil {
			t.Fatal(err)
		}
	}
	issued := tokens.Issued()
	if len(issued) != 1 {
		t.Fatalf("issued %d tokens for 3 calls, want 1", len(issued))
	}
	for _, h := range a.sent() {
		if h != "Bearer "+issued[0] {
			t.Errorf("sent %q, want the cached token", h)
		}
	}
}

// A token is replaced before it expires (a tenth of its lifetime, at most
// five minutes, ahead), so no request carries one about to lapse.
func TestOAuthRenewsBeforeExpiry(t *testing.T) {
	tokens := tokentest.Start(t, &tokentest.Server{ClientID: "app-1", ClientSecret: "app-secret-1", ExpiresIn: 3600})
	a := startAPI(t, tokens)
	s, o := oauthSet(t, a.srv.URL, ccConfig(tokens), clientCreds)
	clock := time.Now()
	o.now = func() time.Time { return clock }
	if _, err := call(s); err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(54*time.Minute + 50*time.Second) // 5 min 10 s before expiry: still good
	if _, err := call(s); err != nil || len(tokens.Issued()) != 1 {
		t.Fatalf("err %v, issued %d; want the cached token", err, len(tokens.Issued()))
	}
	clock = clock.Add(20 * time.Second) // 4 min 50 s before expiry: renew
	if _, err := call(s); err != nil || len(tokens.Issued()) != 2 {
		t.Fatalf("err %v, issued %d; want a new token before expiry", err, len(tokens.Issued()))
	}
	if got := a.sent(); got[2] != "Bearer "+tokens.Issued()[1] {
		t.Errorf("third call sent %q", got[2])
	}
	if g := tokens.Grants(); len(g) != 2 || g[1] != "client_credentials" {
		t.Errorf("grants %v", g)
	}
}

// A token the vendor rejects (revoked, or expired early) is fetched anew
// once and the request resent within the same attempt; a second 401 is
// the answer.
func TestOAuthRefreshesOnceOn401(t *testing.T) {
	tokens := tokentest.Start(t, &tokentest.Server{ClientID: "app-1", ClientSecret: "app-secret-1"}) // no expires_in: kept until a 401
	a := startAPI(t, tokens)
	s, o := oauthSet(t, a.srv.URL, ccConfig(tokens), clientCreds)
	if _, err := call(s); err != nil {
		t.Fatal(err)
	}
	// The provider revokes the token: the cache still holds it.
	o.mu.Lock()
	o.token = "CANARY-tok-revoked"
	o.mu.Unlock()
	if _, err := call(s); err != nil {
		t.Fatalf("after a 401 the call should refresh and succeed: %v", err)
	}
	sent := a.sent()
	if len(sent) != 3 || sent[1] != "Bearer CANARY-tok-revoked" || sent[2] != "Bearer "+tokens.Issued()[1] {
		t.Errorf("sent %v, issued %v", sent, tokens.Issued())
	}

	// A vendor that takes no token: one refresh, one resend, then the 401.
	deny := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusUnauthorized) }))
	defer deny.Close()
	s, _ = oauthSet(t, deny.URL, ccConfig(tokens), clientCreds)
	before := len(tokens.Issued())
	_, err := call(s)
	if e, ok := errors.AsType[*Error](err); !ok || e.Status != 401 || e.Retryable {
		t.Errorf("want a permanent 401, got %v", err)
	}
	if n := len(tokens.Issued()) - before; n != 2 {
		t.Errorf("fetched %d tokens, want 2 (first, and one refresh)", n)
	}
}

// The token endpoint is dialled through the Set's SSRF guard: without
// allow_networks a loopback endpoint is refused before any connection, and
// the refusal is permanent (fix the configuration) and says so.
func TestOAuthTokenEndpointGuarded(t *testing.T) {
	tokens := tokentest.Start(t, &tokentest.Server{ClientID: "app-1", ClientSecret: "app-secret-1"})
	p := NewProblems(nil)
	o := p.OAuth(ccConfig(tokens), clientCreds)
	in := &Integration{Name: "v", Auth: Bearer(o), Operations: vendorAPI(t, "https://api.vendor.example").Operations(map[string]*Op{"o": {Path: "x"}})}
	s := NewSet(nil, in) // no allow_networks
	_, err := call(s)
	e, ok := errors.AsType[*Error](err)
	if !ok || e.Retryable || !strings.Contains(e.Message, "refused by the SSRF guard") || !strings.Contains(e.Message, "oauth client_credentials token from http://127.0.0.1") {
		t.Fatalf("want a permanent SSRF refusal naming the token endpoint, got %v", err)
	}
	if len(tokens.Grants()) != 0 {
		t.Errorf("the token endpoint was reached")
	}
	// Private and link-local token endpoints, judged by the guard function
	// the token client dials through, without connecting anywhere.
	for _, addr := range []string{"10.0.0.7:443", "192.168.1.10:443", "169.254.169.254:80", "[fd00::1]:443"} {
		network := "tcp4"
		if strings.HasPrefix(addr, "[") {
			network = "tcp6"
		}
		if err := newGuard(nil).control(network, addr, nil); err == nil || !refused(err) {
			t.Errorf("token endpoint %s: guard said %v", addr, err)
		}
	}
}

// No fetched token reaches what is recorded or returned, even when the
// vendor echoes it in its answer or its error text (canary tokens).
func TestOAuthTokensNeverRecorded(t *testing.T) {
	tokens := tokentest.Start(t, &tokentest.Server{ClientID: "app-1", ClientSecret: "app-secret-1", ExpiresIn: 3600})
	a := startAPI(t, tokens)
	s, _ := oauthSet(t, a.srv.URL, ccConfig(tokens), clientCreds)
	res, err := call(s)
	if err != nil {
		t.Fatal(err)
	}
	check := func(res Result, err error) {
		t.Helper()
		rec, _ := json.Marshal(res)
		text := string(rec)
		if err != nil {
			text += err.Error()
		}
		if strings.Contains(text, "CANARY") || strings.Contains(text, "app-secret-1") {
			t.Errorf("a token or secret leaked: %s", text)
		}
	}
	if !strings.Contains(res.Response.Body, `"echo":"Bearer [redacted]"`) {
		t.Errorf("the echoed token is not redacted: %s", res.Response.Body)
	}
	check(res, err)
	// A token echoed in the vendor's error message.
	deny := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"message": "token ` + r.Header.Get("Authorization") + ` is not valid"}`))
	}))
	defer deny.Close()
	s2, _ := oauthSet(t, deny.URL, ccConfig(tokens), clientCreds)
	res, err = call(s2)
	if err == nil || !strings.Contains(err.Error(), "token Bearer [redacted] is not valid") {
		t.Errorf("error %v", err)
	}
	check(res, err)
	// A token endpoint that refuses the client: its error text, not the secret.
	tokens.Fail(&tokentest.Failure{Status: 401, Body: `{"error": "invalid_client", "error_description": "bad secret app-secret-1"}`})
	s3, _ := oauthSet(t, a.srv.URL, ccConfig(tokens), clientCreds)
	res, err = call(s3)
	check(res, err)
}

// The token endpoint's answers are classified: a refused client or grant
// is permanent and says what to check; an endpoint that is down, or
// throttles, comes back.
func TestOAuthEndpointErrors(t *testing.T) {
	for _, tc := range []struct {
		name      string
		fail      tokentest.Failure
		retryable bool
		want      string
	}{
		{"invalid client", tokentest.Failure{Status: 401, Body: `{"error": "invalid_client", "error_description": "Client authentication failed"}`}, false,
			"HTTP 401: invalid_client: Client authentication failed (check the integration's oauth settings: client_id, client_secret and scopes)"},
		{"invalid grant", tokentest.Failure{Status: 400, Body: `{"error": "invalid_grant", "error_description": "authentication failure"}`}, false, "invalid_grant"},
		{"down", tokentest.Failure{Status: 503, Body: `<html>down</html>`}, true, "HTTP 503"},
		{"throttled", tokentest.Failure{Status: 429, Body: `{"error": "slow_down"}`}, true, "HTTP 429: slow_down"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tokens := tokentest.Start(t, &tokentest.Server{ClientID: "app-1", ClientSecret: "app-secret-1"})
			tokens.Fail(&tc.fail)
			a := startAPI(t, tokens)
			s, _ := oauthSet(t, a.srv.URL, ccConfig(tokens), clientCreds)
			_, err := call(s)
			e, ok := errors.AsType[*Error](err)
			if !ok || e.Retryable != tc.retryable || !strings.Contains(e.Message, tc.want) {
				t.Fatalf("got %v, want retryable=%v %q", err, tc.retryable, tc.want)
			}
			if len(a.sent()) != 0 {
				t.Errorf("the vendor was called without a token")
			}
		})
	}
}

// Each grant, against a token endpoint that checks it as providers do.
func TestOAuthGrants(t *testing.T) {
	priv, pemKey := tokentest.Key(t)
	t.Run("refresh_token rotates", func(t *testing.T) {
		tokens := tokentest.Start(t, &tokentest.Server{ClientID: "app-1", ClientSecret: "app-secret-1", RefreshToken: "CANARY-refresh-0", Rotate: true})
		a := startAPI(t, tokens)
		s, o := oauthSet(t, a.srv.URL, &OAuthConfig{Grant: RefreshToken, TokenURL: tokens.URL, ClientID: "app-1", ClientSecret: "app-secret-1", RefreshToken: "CANARY-refresh-0"}, clientCreds)
		for range 2 {
			if _, err := call(s); err != nil {
				t.Fatal(err)
			}
			o.Refresh() // each fetch must use the rotated refresh token
		}
		if n := len(tokens.Issued()); n != 2 {
			t.Errorf("issued %d", n)
		}
	})
	t.Run("jwt_bearer", func(t *testing.T) {
		tokens := tokentest.Start(t, &tokentest.Server{Key: &priv.PublicKey, Issuer: "3MVG9-consumer-key", Subject: "integration@acme.example",
			Audience: "https://login.salesforce.com", MaxLifetime: 3 * time.Minute})
		a := startAPI(t, tokens)
		k := OAuthKind{Grants: []string{JWTBearer}, Audience: "https://login.salesforce.com", Subject: true, Assertion: 3 * time.Minute}
		// The key as an environment variable often holds it: \n for line breaks.
		s, _ := oauthSet(t, a.srv.URL, &OAuthConfig{TokenURL: tokens.URL, ClientID: "3MVG9-consumer-key", Subject: "integration@acme.example",
			PrivateKey: strings.ReplaceAll(pemKey, "\n", `\n`)}, k)
		if _, err := call(s); err != nil {
			t.Fatal(err)
		}
		// An assertion for another user is refused, permanently.
		s, _ = oauthSet(t, a.srv.URL, &OAuthConfig{TokenURL: tokens.URL, ClientID: "3MVG9-consumer-key", Subject: "someone@else.example", PrivateKey: pemKey}, k)
		_, err := call(s)
		if e, ok := errors.AsType[*Error](err); !ok || e.Retryable || !strings.Contains(e.Message, "user hasn't approved this consumer") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("google service account", func(t *testing.T) {
		tokens := tokentest.Start(t, &tokentest.Server{Key: &priv.PublicKey, Issuer: "sheets@proj.iam.gserviceaccount.com",
			Scope: "https://www.googleapis.com/auth/spreadsheets", ExpiresIn: 3599})
		tokens.Audience = tokens.URL
		a := startAPI(t, tokens)
		k := OAuthKind{Grants: []string{JWTBearer}, Scopes: []string{"https://www.googleapis.com/auth/spreadsheets"}}
		s, _ := oauthSet(t, a.srv.URL, &OAuthConfig{ServiceAccount: tokentest.ServiceAccount(t, "sheets@proj.iam.gserviceaccount.com", tokens.URL)}, k)
		if _, err := call(s); err != nil {
			t.Fatal(err)
		}
	})
}

// Configuration problems are reported at load, each naming its field.
func TestOAuthConfigProblems(t *testing.T) {
	_, pemKey := tokentest.Key(t)
	k := OAuthKind{Grants: []string{ClientCredentials, JWTBearer}, Subject: true}
	for _, tc := range []struct {
		name string
		cfg  OAuthConfig
		want []string
	}{
		{"grant", OAuthConfig{Grant: "password", TokenURL: "https://x.example/t"}, []string{"oauth.grant must be one of: client_credentials, jwt_bearer"}},
		{"no secret", OAuthConfig{TokenURL: "https://x.example/t", ClientID: "a"}, []string{"oauth.client_secret is required by grant client_credentials"}},
		{"no url", OAuthConfig{ClientID: "a", ClientSecret: "b"}, []string{"oauth.token_url is required"}},
		{"plain http", OAuthConfig{TokenURL: "http://login.example/t", ClientID: "a", ClientSecret: "b"}, []string{"oauth.token_url must be https"}},
		{"field of another grant", OAuthConfig{TokenURL: "https://x.example/t", ClientID: "a", ClientSecret: "b", PrivateKey: pemKey}, []string{"oauth.private_key is not used by grant client_credentials"}},
		{"bad key", OAuthConfig{Grant: JWTBearer, TokenURL: "https://x.example/t", ClientID: "a", Subject: "u", PrivateKey: "not a key"}, []string{"oauth.private_key must be a PEM private key"}},
		{"no subject", OAuthConfig{Grant: JWTBearer, TokenURL: "https://x.example/t", ClientID: "a", PrivateKey: pemKey}, []string{"oauth.subject is required by grant jwt_bearer"}},
		{"service account", OAuthConfig{Grant: JWTBearer, ServiceAccount: `{"type": "authorized_user"}`, Subject: "u"}, []string{"oauth.service_account must be a Google service-account key"}},
		{"style", OAuthConfig{TokenURL: "https://x.example/t", ClientID: "a", ClientSecret: "b", AuthStyle: "body"}, []string{"oauth.auth_style must be params"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := NewProblems(nil)
			if o := p.OAuth(&tc.cfg, k); o != nil {
				t.Fatal("a token source despite problems")
			}
			err := p.Err()
			for _, w := range tc.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("error %v, want %q", err, w)
				}
			}
		})
	}
	p := NewProblems(nil)
	if tok, _ := p.Token("token", "static", &OAuthConfig{}, k, "a token"); tok != nil || p.Err() == nil || !strings.Contains(p.Err().Error(), "token must not be set with oauth") {
		t.Errorf("token and oauth: %v", p.Err())
	}
}

// Calls that need a token at once wait for one fetch, not one each.
func TestOAuthConcurrentCallsFetchOnce(t *testing.T) {
	tokens := tokentest.Start(t, &tokentest.Server{ClientID: "app-1", ClientSecret: "app-secret-1", ExpiresIn: 3600})
	a := startAPI(t, tokens)
	s, _ := oauthSet(t, a.srv.URL, ccConfig(tokens), clientCreds)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Go(func() {
			if _, err := call(s); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := len(tokens.Issued()); n != 1 {
		t.Errorf("20 concurrent calls fetched %d tokens, want 1", n)
	}
}

// BenchmarkCallToken measures a call with a static token and with a
// cached OAuth token (the lock, the cache check and the fetched-token
// redaction are the difference).
func BenchmarkCallToken(b *testing.B) {
	tokens := tokentest.Start(b, &tokentest.Server{ClientID: "app-1", ClientSecret: "app-secret-1", ExpiresIn: 3600})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"ok":true}`)) }))
	b.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	ops := (&API{Base: u}).Operations(map[string]*Op{"o": {Path: "x"}})
	p := NewProblems(nil)
	o := p.OAuth(ccConfig(tokens), clientCreds)
	for _, in := range []*Integration{
		{Name: "static", Auth: Bearer(StaticToken("static-token-value")), Secrets: []string{"static-token-value"}, Operations: ops},
		{Name: "oauth", Auth: Bearer(o), Secrets: o.Secrets(), Operations: ops},
	} {
		s := NewSet(loopback, in)
		b.Run(in.Name, func(b *testing.B) {
			c := Call{Integration: in.Name, Operation: "o", IdempotencyKey: "wf/r/s"}
			for b.Loop() {
				if _, err := s.Call(context.Background(), c); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
