// Package tokentest is an OAuth 2.0 token endpoint on 127.0.0.1 for the
// tests of the shared credentials layer and of the kinds that use it. It
// checks each grant as providers do (RFC 6749 §4.4 and §6, RFC 7523: the
// client's secret, the refresh token, the JWT assertion's RS256 signature,
// issuer, subject, audience and expiry) and hands out numbered canary
// tokens, so a test can tell which token a request carried and assert that
// none was recorded.
package tokentest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is a token endpoint. Set its fields before the first request.
type Server struct {
	URL string // the token endpoint, …/token

	// ClientID and ClientSecret are what client_credentials and
	// refresh_token require (the secret as basic auth or form fields).
	ClientID, ClientSecret string
	// RefreshToken is the one refresh_token accepts; Rotate makes every
	// answer carry a new one, which the next request must use.
	RefreshToken string
	Rotate       bool
	// Key verifies jwt_bearer assertions; Issuer, Subject and Audience are
	// the claims they must carry, MaxLifetime bounds exp (0: one hour).
	Key                       *rsa.PublicKey
	Issuer, Subject, Audience string
	MaxLifetime               time.Duration
	// Scope, when set, is the scope the request must ask for.
	Scope string
	// ExpiresIn is the tokens' lifetime in seconds (0: none given, as
	// Salesforce answers).
	ExpiresIn int
	// Prefix starts every token (default "CANARY-tok").
	Prefix string
	// Path is the endpoint's path (default /token); Mount serves it on a
	// vendor stand-in of the test's own, for token endpoints on the API's
	// host (Shopify's /admin/oauth/access_token).
	Path string

	mu      sync.Mutex
	issued  []string
	refresh string
	fail    *Failure
	grants  []string
}

// Failure is an error answer the endpoint gives instead of a token.
type Failure struct {
	Status int
	Body   string
}

// Start serves the endpoint on its own server until the test ends.
func Start(t testing.TB, s *Server) *Server {
	t.Helper()
	srv := httptest.NewServer(s.Mount())
	t.Cleanup(srv.Close)
	s.URL = srv.URL + s.Path
	return s
}

// Mount readies s without a server of its own and returns its handler,
// which answers POST Path.
func (s *Server) Mount() http.Handler {
	if s.Prefix == "" {
		s.Prefix = "CANARY-tok"
	}
	if s.Path == "" {
		s.Path = "/token"
	}
	s.refresh = s.RefreshToken
	return http.HandlerFunc(s.serve)
}

// Fail makes the endpoint answer f from now on (nil: tokens again).
func (s *Server) Fail(f *Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = f
}

// Issue hands out a token as if another client had asked: the tokens
// issued before it are no longer Valid (revoked, as when an app's secret
// is rotated).
func (s *Server) Issue() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issue()
}

func (s *Server) issue() string {
	tok := fmt.Sprintf("%s-%d-%s", s.Prefix, len(s.issued)+1, rand.Text()[:12])
	s.issued = append(s.issued, tok)
	return tok
}

// Issued lists the access tokens handed out, in order.
func (s *Server) Issued() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.issued...)
}

// Grants lists the grant_type of every request, in order.
func (s *Server) Grants() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.grants...)
}

// Valid reports whether tok is the newest token issued.
func (s *Server) Valid(tok string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.issued) > 0 && s.issued[len(s.issued)-1] == tok
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	reject := func(status int, code, desc string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
	}
	if r.Method != http.MethodPost || r.URL.Path != s.Path {
		reject(http.StatusNotFound, "not_found", "POST "+s.Path)
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		reject(http.StatusBadRequest, "invalid_request", "content type "+ct)
		return
	}
	if err := r.ParseForm(); err != nil {
		reject(http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	grant := r.PostForm.Get("grant_type")
	s.grants = append(s.grants, grant)
	if s.fail != nil {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(s.fail.Status)
		fmt.Fprint(w, s.fail.Body)
		return
	}
	if s.Scope != "" && r.PostForm.Get("scope") != s.Scope && grant != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
		reject(http.StatusBadRequest, "invalid_scope", "scope "+r.PostForm.Get("scope"))
		return
	}
	client := func() bool {
		id, secret, ok := r.BasicAuth()
		if !ok {
			id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
		}
		return id == s.ClientID && secret == s.ClientSecret
	}
	answer := map[string]any{"token_type": "Bearer"}
	switch grant {
	case "client_credentials":
		if !client() {
			reject(http.StatusUnauthorized, "invalid_client", "client authentication failed")
			return
		}
	case "refresh_token":
		if !client() {
			reject(http.StatusUnauthorized, "invalid_client", "client authentication failed")
			return
		}
		if r.PostForm.Get("refresh_token") != s.refresh {
			reject(http.StatusBadRequest, "invalid_grant", "expired access/refresh token")
			return
		}
		if s.Rotate {
			s.refresh = fmt.Sprintf("CANARY-refresh-%d", len(s.issued)+1)
			answer["refresh_token"] = s.refresh
		}
	case "urn:ietf:params:oauth:grant-type:jwt-bearer":
		if err := s.checkAssertion(r.PostForm.Get("assertion")); err != nil {
			reject(http.StatusBadRequest, "invalid_grant", err.Error())
			return
		}
	default:
		reject(http.StatusBadRequest, "unsupported_grant_type", grant)
		return
	}
	answer["access_token"] = s.issue()
	if s.ExpiresIn > 0 {
		answer["expires_in"] = s.ExpiresIn
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(answer)
}

// checkAssertion verifies a JWT bearer assertion as RFC 7523 §3 asks.
func (s *Server) checkAssertion(a string) error {
	parts := strings.Split(a, ".")
	if len(parts) != 3 {
		return fmt.Errorf("assertion is not a JWT")
	}
	var head struct{ Alg, Typ string }
	if err := decode(parts[0], &head); err != nil || head.Alg != "RS256" {
		return fmt.Errorf("assertion header %s: want alg RS256", parts[0])
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return err
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if s.Key == nil || rsa.VerifyPKCS1v15(s.Key, crypto.SHA256, sum[:], sig) != nil {
		return fmt.Errorf("invalid signature")
	}
	var c struct {
		Iss, Sub, Aud, Scope string
		Exp, Iat             int64
	}
	if err := decode(parts[1], &c); err != nil {
		return err
	}
	max := s.MaxLifetime
	if max == 0 {
		max = time.Hour
	}
	now := time.Now()
	switch {
	case c.Iss != s.Issuer:
		return fmt.Errorf("iss %q is not the client", c.Iss)
	case c.Sub != s.Subject:
		return fmt.Errorf("sub %q: user hasn't approved this consumer", c.Sub)
	case c.Aud != s.Audience:
		return fmt.Errorf("aud %q: audience is invalid", c.Aud)
	case c.Exp <= now.Unix() || time.Unix(c.Exp, 0).After(now.Add(max+5*time.Second)):
		return fmt.Errorf("exp %d: expiration time is invalid", c.Exp)
	case s.Scope != "" && c.Scope != s.Scope:
		return fmt.Errorf("scope %q", c.Scope)
	}
	return nil
}

func decode(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

var (
	keyOnce sync.Once
	key     *rsa.PrivateKey
)

// Key is an RSA key for assertions, made once per test binary (2048 bits
// takes a while), and its PKCS #8 PEM.
func Key(t testing.TB) (*rsa.PrivateKey, string) {
	t.Helper()
	keyOnce.Do(func() {
		var err error
		if key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
	})
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return key, string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// ServiceAccount is a Google service-account key file for email, signed
// by Key, whose token_uri is tokenURL.
func ServiceAccount(t testing.TB, email, tokenURL string) string {
	t.Helper()
	_, pemKey := Key(t)
	b, err := json.Marshal(map[string]string{
		"type": "service_account", "project_id": "hookflow-test", "private_key_id": "k-1",
		"private_key": pemKey, "client_email": email, "client_id": "1234567890",
		"token_uri": tokenURL,
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
