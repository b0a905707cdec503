package webhook_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/hookflow/hookflow/integrations"
	"github.com/hookflow/hookflow/integrations/catalog"
)

// The example secret of the Standard Webhooks specification.
const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

// received is what the local receiver saw.
type received struct {
	method, path, query string
	header              http.Header
	body                []byte
}

// receiver answers with status and body and records each request.
func receiver(t *testing.T, status int, contentType, body string) (*httptest.Server, chan received) {
	t.Helper()
	got := make(chan received, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- received{r.Method, r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Clone(), b}
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

// load builds a Set from an integrations: section, loopback allowed.
func load(t *testing.T, src string) *integrations.Set {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	s, err := catalog.Load("hookflow.yaml", doc.Content[0], []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// verify checks a Standard Webhooks signature independently of sign.go.
func verify(t *testing.T, h http.Header, body []byte) {
	t.Helper()
	id, ts, sig := h.Get("webhook-id"), h.Get("webhook-timestamp"), h.Get("webhook-signature")
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha256.New, key)
	fmt.Fprintf(mac, "%s.%s.%s", id, ts, body)
	want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(sig), []byte(want)) {
		t.Errorf("webhook-signature %q, want %q", sig, want)
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if d := time.Since(time.Unix(sec, 0)); err != nil || d < -time.Minute || d > time.Minute {
		t.Errorf("webhook-timestamp %q is not now", ts)
	}
}

func TestSend(t *testing.T) {
	tests := []struct {
		name     string
		urlPath  string // appended to the server URL in the config
		signed   bool
		with     map[string]any
		respType string
		respBody string

		method, path, query string
		contentType         string
		body                string
		headers             map[string]string // expected request headers ("" = absent)
		output              any
	}{
		{
			name: "JSON body, signed, JSON output", urlPath: "/hooks", signed: true,
			with:     map[string]any{"path": "/orders/1", "body": map[string]any{"id": 1, "note": "a<b & c"}},
			respType: "application/json", respBody: `{"id":"c-9","ok":true}`,
			method: "POST", path: "/hooks/orders/1", contentType: "application/json",
			body:    `{"id":1,"note":"a<b & c"}`,
			headers: map[string]string{"X-Tenant": "acme", "webhook-id": "orders/1/r/s"},
			output:  map[string]any{"id": "c-9", "ok": true},
		},
		{
			name: "string body as-is, PUT, one slash", urlPath: "/hooks/",
			with:     map[string]any{"method": "put", "path": "orders", "body": "plain text"},
			respType: "text/plain", respBody: "accepted",
			method: "PUT", path: "/hooks/orders", body: "plain text",
			headers: map[string]string{"webhook-signature": ""},
			output:  "accepted",
		},
		{
			name: "headers merged over the integration's", urlPath: "/hooks?v=1",
			with: map[string]any{
				"path":    "a/b",
				"query":   map[string]any{"x": 2},
				"body":    []any{1, "two"},
				"headers": map[string]any{"X-Tenant": "other", "X-Count": 3, "Content-Type": "application/vnd.api+json"},
			},
			method: "POST", path: "/hooks/a/b", query: "v=1&x=2", contentType: "application/vnd.api+json",
			body:    `[1,"two"]`,
			headers: map[string]string{"X-Tenant": "other", "X-Count": "3"},
		},
		{
			name: "no with at all, empty response", urlPath: "",
			method: "POST", path: "/", body: "",
		},
		{
			name: "GET with an escaped path", urlPath: "/api",
			with:     map[string]any{"method": "GET", "path": "/users/a b"},
			respType: "application/json", respBody: `[1,2]`,
			method: "GET", path: "/api/users/a%20b",
			output: []any{int64(1), int64(2)}, // integers stay exact
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, got := receiver(t, 200, tt.respType, tt.respBody)
			sign := ""
			if tt.signed {
				sign = "\n    sign: {scheme: standard, secret: " + secret + "}"
			}
			s := load(t, fmt.Sprintf(`
partner:
    kind: webhook
    url: %s%s
    headers: {X-Tenant: acme, Authorization: Bearer cfg-token-1}%s
`, srv.URL, tt.urlPath, sign))
			res, err := s.Call(context.Background(), integrations.Call{
				Integration: "partner", Operation: "send", Input: tt.with, IdempotencyKey: "orders/1/r/s",
			})
			if err != nil {
				t.Fatal(err)
			}
			r := <-got
			if r.method != tt.method || r.path != tt.path || r.query != tt.query {
				t.Errorf("request %s %s?%s, want %s %s?%s", r.method, r.path, r.query, tt.method, tt.path, tt.query)
			}
			if string(r.body) != tt.body {
				t.Errorf("body %q, want %q", r.body, tt.body)
			}
			if ct := r.header.Get("Content-Type"); ct != tt.contentType {
				t.Errorf("Content-Type %q, want %q", ct, tt.contentType)
			}
			if k := r.header.Get("Idempotency-Key"); k != "orders/1/r/s" {
				t.Errorf("Idempotency-Key %q", k)
			}
			if ua := r.header.Get("User-Agent"); ua != "hookflow" {
				t.Errorf("User-Agent %q", ua)
			}
			if a := r.header.Get("Authorization"); a != "Bearer cfg-token-1" {
				t.Errorf("Authorization %q", a)
			}
			for k, v := range tt.headers {
				if g := r.header.Get(k); g != v {
					t.Errorf("header %s = %q, want %q", k, g, v)
				}
			}
			if tt.signed {
				verify(t, r.header, r.body)
				if sig := res.Request.Headers["Webhook-Signature"]; sig != "[redacted]" {
					t.Errorf("recorded signature %q", sig)
				}
			}
			if a := res.Request.Headers["Authorization"]; a != "[redacted]" {
				t.Errorf("recorded Authorization %q", a)
			}
			if res.Request.Body != tt.body || res.Request.Method != tt.method {
				t.Errorf("recorded %s %q", res.Request.Method, res.Request.Body)
			}
			if !reflect.DeepEqual(res.Output, tt.output) {
				t.Errorf("output %#v, want %#v", res.Output, tt.output)
			}
			if strings.Contains(fmt.Sprint(res), "cfg-token-1") || strings.Contains(fmt.Sprint(res), "MfKQ9r8") {
				t.Errorf("secret recorded: %+v", res)
			}
		})
	}
}

func TestSendBadInput(t *testing.T) {
	srv, got := receiver(t, 200, "", "")
	s := load(t, "partner:\n  kind: webhook\n  url: "+srv.URL+"\n")
	tests := []struct {
		with map[string]any
		err  string
	}{
		{map[string]any{"bdy": "x"}, "with.bdy: unknown field (send takes: body, headers, method, path, query)"},
		{map[string]any{"method": "FETCH"}, "with.method: must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, got FETCH"},
		{map[string]any{"method": 1}, "with.method: must be one of"},
		{map[string]any{"path": "http://169.254.169.254/"}, "with.path: must be a path below the integration's URL, not a URL"},
		{map[string]any{"path": "/orders/5?force=true"}, "with.path: must not contain ?: give query parameters in with.query"},
		{map[string]any{"path": "/orders/../admin"}, `with.path: segment 2: a URL path segment cannot be or contain the dot segment ".."`},
		{map[string]any{"path": "/orders/%2e%2e;/admin"}, "with.path: segment 2"},
		{map[string]any{"query": "a=1"}, "with.query: must be a mapping"},
		{map[string]any{"path": "//evil.example/x"}, "with.path: must be a path below"},
		{map[string]any{"path": 3}, "with.path: must be a string, got int"},
		{map[string]any{"headers": "X: 1"}, "with.headers: must be a mapping"},
		{map[string]any{"headers": map[string]any{"X-A": map[string]any{}}}, "with.headers.X-A: must be a string"},
		{map[string]any{"headers": map[string]any{"X-A": "a\r\nX-Injected: 1"}}, "with.headers.X-A: header X-A: value has a control character"},
		{map[string]any{"headers": map[string]any{"Bad Name": "v"}}, "with.headers.Bad Name: header name"},
	}
	for _, tt := range tests {
		t.Run(tt.err, func(t *testing.T) {
			_, err := s.Call(context.Background(), integrations.Call{Integration: "partner", Operation: "send", Input: tt.with})
			var ce *integrations.Error
			if err == nil || errors.As(err, &ce) {
				t.Fatalf("err = %#v, want a plain (non-retryable) error", err)
			}
			if !strings.HasPrefix(err.Error(), tt.err) {
				t.Errorf("err %q, want prefix %q", err, tt.err)
			}
		})
	}
	select {
	case r := <-got:
		t.Errorf("bad input reached the receiver: %s %s", r.method, r.path)
	default:
	}
}

func TestSendErrorKeepsSecretsOut(t *testing.T) {
	srv, _ := receiver(t, 401, "application/json", `{"message":"signature `+secret+` rejected for Bearer cfg-token-1"}`)
	s := load(t, fmt.Sprintf(`
partner:
  kind: webhook
  url: %s
  headers: {X-Api-Key: cfg-token-1}
  sign: {scheme: standard, secret: %s}
`, srv.URL, secret))
	res, err := s.Call(context.Background(), integrations.Call{Integration: "partner", Operation: "send", Input: map[string]any{"body": map[string]any{"a": 1}}, IdempotencyKey: "k"})
	var ce *integrations.Error
	if !errors.As(err, &ce) || ce.Retryable || ce.Status != 401 {
		t.Fatalf("err = %#v", err)
	}
	want := "partner.send: HTTP 401 Unauthorized: signature [redacted] rejected for Bearer [redacted]"
	if ce.Message != want {
		t.Errorf("message %q, want %q", ce.Message, want)
	}
	for _, leak := range []string{"cfg-token-1", "MfKQ9r8"} {
		if strings.Contains(fmt.Sprintf("%+v %+v", res.Request, res.Response), leak) {
			t.Errorf("%s recorded: %+v %+v", leak, res.Request, res.Response)
		}
	}
}
