package httpapi_test

import (
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookflow/hookflow/integrations"
	"github.com/hookflow/hookflow/integrations/internal/kindtest"
)

const secret = "erp-secret-value-1234"

func load(t *testing.T, v *kindtest.Vendor, auth string) *integrations.Set {
	return kindtest.Load(t, "erp:\n  kind: http\n  base_url: "+v.URL+"/api/v2/\n  headers: { Accept: application/json }\n  auth: "+auth+"\n")
}

func TestConfig(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"no base", "erp:\n  kind: http\n", "integrations.erp.base_url is required"},
		{"auth type", "erp:\n  kind: http\n  base_url: https://erp.example\n  auth: { type: oauth }\n", "hookflow.yaml:4:17: integrations.erp.auth.type must be one of: basic, bearer, header, query"},
		{"bearer token", "erp:\n  kind: http\n  base_url: https://erp.example\n  auth: { type: bearer }\n", "integrations.erp.auth.token is required for auth type bearer"},
		{"basic password", "erp:\n  kind: http\n  base_url: https://erp.example\n  auth: { type: basic, username: u }\n", "integrations.erp.auth.password is required for auth type basic"},
		{"unknown auth field", "erp:\n  kind: http\n  base_url: https://erp.example\n  auth: { type: bearer, tokn: x }\n", `integrations.erp.auth: unknown field "tokn"`},
	} {
		_, err := kindtest.LoadErr(t, tc.doc)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestAuth(t *testing.T) {
	for _, tc := range []struct {
		name, auth string
		check      func(t *testing.T, got kindtest.Got)
	}{
		{"bearer", "{ type: bearer, token: " + secret + " }", func(t *testing.T, got kindtest.Got) {
			if got.Header.Get("Authorization") != "Bearer "+secret {
				t.Errorf("Authorization %q", got.Header.Get("Authorization"))
			}
		}},
		{"basic", "{ type: basic, username: hookflow, password: " + secret + " }", func(t *testing.T, got kindtest.Got) {
			if u, p, _ := (&http.Request{Header: got.Header}).BasicAuth(); u != "hookflow" || p != secret {
				t.Errorf("basic %q:%q", u, p)
			}
		}},
		{"header", "{ type: header, name: X-Api-Key, value: " + secret + " }", func(t *testing.T, got kindtest.Got) {
			if got.Header.Get("X-Api-Key") != secret {
				t.Errorf("X-Api-Key %q", got.Header.Get("X-Api-Key"))
			}
		}},
		{"query", "{ type: query, name: key, value: " + secret + " }", func(t *testing.T, got kindtest.Got) {
			if q, _ := url.ParseQuery(got.Query); q.Get("key") != secret {
				t.Errorf("query %q", got.Query)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := kindtest.Serve(t, kindtest.Reply{Status: 200, Body: `{"ok": true}`})
			res, err := kindtest.Call(t, load(t, v, tc.auth), "erp", "request", map[string]any{"path": "ping"}, secret,
				base64.StdEncoding.EncodeToString([]byte("hookflow:"+secret)))
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, v.Last(t))
			if strings.Contains(res.Request.URL, secret) {
				t.Errorf("recorded URL %q", res.Request.URL)
			}
		})
	}
}

func TestRequest(t *testing.T) {
	v := kindtest.Serve(t, kindtest.Reply{Status: 201, Header: map[string]string{"Location": "/api/v2/customers/42", "Set-Cookie": "s=1"}, Body: `{"id": 42, "email": "ada@example.com"}`})
	s := load(t, v, "{ type: bearer, token: "+secret+" }")
	res, err := kindtest.Call(t, s, "erp", "request", map[string]any{
		"method": "put", "path": "/customers/a b", "query": map[string]any{"dry": 1, "expand": "addresses", "tag": []any{"a", 2}},
		"headers": map[string]any{"X-Request-Source": "hookflow"}, "body": map[string]any{"email": "ada@example.com", "html": "<b>"},
	}, secret)
	if err != nil {
		t.Fatal(err)
	}
	got := v.Last(t)
	if got.Method != http.MethodPut || got.Path != "/api/v2/customers/a%20b" {
		t.Errorf("sent %s %s", got.Method, got.Path)
	}
	if q, _ := url.ParseQuery(got.Query); !reflect.DeepEqual(q, url.Values{"dry": {"1"}, "expand": {"addresses"}, "tag": {"a", "2"}}) {
		t.Errorf("query %v", q)
	}
	if got.Header.Get("X-Request-Source") != "hookflow" || got.Header.Get("Accept") != "application/json" || got.Header.Get("Content-Type") != "application/json" {
		t.Errorf("headers %v", got.Header)
	}
	if string(got.Body) != `{"email":"ada@example.com","html":"<b>"}` {
		t.Errorf("body %s", got.Body)
	}
	out := res.Output.(map[string]any)
	if out["status"] != 201 || !reflect.DeepEqual(out["body"], map[string]any{"id": float64(42), "email": "ada@example.com"}) {
		t.Errorf("output %v", out)
	}
	if h := out["headers"].(map[string]any); h["location"] != "/api/v2/customers/42" || h["set-cookie"] != nil {
		t.Errorf("output headers %v", h)
	}

	// A form, and GET by default without a body.
	if _, err := kindtest.Call(t, s, "erp", "request", map[string]any{"path": "hooks", "form": map[string]any{"a": "1"}}, secret); err != nil {
		t.Fatal(err)
	}
	if got := v.Last(t); got.Method != http.MethodPost || got.Header.Get("Content-Type") != "application/x-www-form-urlencoded" || string(got.Body) != "a=1" {
		t.Errorf("form request %s %v %s", got.Method, got.Header, got.Body)
	}
	if _, err := kindtest.Call(t, s, "erp", "request", map[string]any{}, secret); err != nil {
		t.Fatal(err)
	}
	if got := v.Last(t); got.Method != http.MethodGet || got.Path != "/api/v2" {
		t.Errorf("default request %s %s", got.Method, got.Path)
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
		{"401", kindtest.Reply{Status: 401, Body: `{"error": "invalid token"}`}, false, 0, "HTTP 401 Unauthorized: invalid token (check the integration's auth)"},
		{"422", kindtest.Reply{Status: 422, Body: `{"errors": [{"message": "email is taken"}]}`}, false, 0, "HTTP 422 Unprocessable Entity: email is taken"},
		{"429", kindtest.Reply{Status: 429, Header: map[string]string{"Retry-After": "9"}}, true, 9 * time.Second, "HTTP 429"},
		{"echo", kindtest.Reply{Status: 400, Body: `{"error": "bad token ` + secret + `"}`}, false, 0, "bad token [redacted]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := kindtest.Serve(t, tc.reply)
			_, err := kindtest.Call(t, load(t, v, "{ type: bearer, token: "+secret+" }"), "erp", "request", map[string]any{"method": "POST", "body": "x"}, secret)
			e := kindtest.Failure(t, err, tc.retryable)
			if e.RetryAfter != tc.retryAfter || !strings.Contains(e.Message, tc.want) {
				t.Errorf("RetryAfter %v, message %q; want %v, %q", e.RetryAfter, e.Message, tc.retryAfter, tc.want)
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	v := kindtest.Serve(t, kindtest.Reply{Status: 200})
	s := load(t, v, "{ type: header, name: X-Api-Key, value: "+secret+" }")
	for _, tc := range []struct {
		input map[string]any
		want  string
	}{
		{map[string]any{"path": "https://evil.example/x"}, "with.path must be a path below the integration's URL, not a URL"},
		{map[string]any{"path": "//evil.example/x"}, "not a URL"},
		{map[string]any{"path": "../admin"}, `with.path segment 1: a URL path segment cannot be or contain the dot segment ".."`},
		{map[string]any{"path": "/o/..;/admin"}, "with.path segment 2"},
		{map[string]any{"path": "/o/5?force=true&all=1"}, "with.path must not contain ?: give query parameters in with.query"},
		{map[string]any{"path": "/o/5#"}, "with.path must not contain #"},
		{map[string]any{"method": "TRACE"}, "with.method must be one of"},
		{map[string]any{"headers": map[string]any{"x-api-key": "other"}}, "with.headers.x-api-key: the integration's auth sets this header"},
		{map[string]any{"headers": map[string]any{"X-A": "a\nb"}}, "with.headers.X-A: header X-A: value has a control character"},
		{map[string]any{"body": map[string]any{}, "form": map[string]any{}}, "with.body and with.form: give one"},
		{map[string]any{"query": map[string]any{"a": map[string]any{}}}, "with.query.a must be a string, number, boolean or a list of them"},
	} {
		_, err := kindtest.Call(t, s, "erp", "request", tc.input, secret)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want %q", tc.input, err, tc.want)
		}
	}
	if v.Count() != 0 {
		t.Error("bad input was sent")
	}
}

// replayingAPI stands in for an API that saves its first answer to an
// Idempotency-Key and replays it, a 500 included, as Stripe documents
// (docs.stripe.com/api/idempotent_requests, checked 2026-11-29): replays
// carry Idempotent-Replayed: true when marked says so.
func replayingAPI(t *testing.T, marked bool) *kindtest.Vendor {
	var mu sync.Mutex
	saved := map[string]bool{}
	return kindtest.ServeFunc(t, func(g kindtest.Got) kindtest.Reply {
		mu.Lock()
		defer mu.Unlock()
		k := g.Header.Get("Idempotency-Key")
		rep := kindtest.Reply{Status: 500, Body: `{"error": {"type": "api_error", "message": "An unknown error occurred"}}`, Header: map[string]string{}}
		if saved[k] && marked {
			rep.Header["Idempotent-Replayed"] = "true"
		}
		saved[k] = true
		return rep
	})
}

// Defect 5 (issue 13): against such an API a retried 5xx only gets the
// saved answer again until the key expires. A marked replay fails at once;
// replays_errors: true says so for an API that does not mark them.
func TestReplayedServerErrors(t *testing.T) {
	v := replayingAPI(t, true)
	s := load(t, v, "{ type: bearer, token: "+secret+" }")
	call := func(s *integrations.Set) *integrations.Error {
		_, err := kindtest.Call(t, s, "erp", "request", map[string]any{"path": "/charges", "body": map[string]any{"amount": 100}}, secret)
		var e *integrations.Error
		if !errors.As(err, &e) {
			t.Fatalf("error %v", err)
		}
		return e
	}
	if e := call(s); !e.Retryable {
		t.Errorf("first 500: %q not retryable", e.Message)
	}
	if e := call(s); e.Retryable || !strings.Contains(e.Message, "replayed its saved answer to this Idempotency-Key") {
		t.Errorf("replayed 500: retryable %v, %q", e.Retryable, e.Message)
	}
	u := replayingAPI(t, false)
	s = kindtest.Load(t, "erp:\n  kind: http\n  base_url: "+u.URL+"\n  replays_errors: true\n")
	if e := call(s); e.Retryable || !strings.Contains(e.Message, "replays_errors") {
		t.Errorf("replays_errors: retryable %v, %q", e.Retryable, e.Message)
	}
}
