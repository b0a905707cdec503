package integrations

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const testSecret = "tok-secret-123456"

var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}

// testOp sends a fixed request carrying a credential to base+path.
type testOp struct {
	base, path string
	got        *Response
}

func (o *testOp) Required() []string { return nil }

func (o *testOp) Request(c Call) (*Request, error) {
	if p, ok := c.Input["path"].(string); ok {
		o.path = p
	}
	h := http.Header{}
	h.Set("Authorization", "Bearer "+testSecret)
	h.Set("X-Api-Key", "k-"+testSecret)
	h.Set("Content-Type", "application/json")
	return &Request{Method: http.MethodPost, URL: o.base + o.path + "?token=" + testSecret + "&page=2", Header: h, Body: []byte(`{"a":1}`)}, nil
}

func (o *testOp) Output(r *Response) (any, error) {
	o.got = r
	return string(r.Body), nil
}

func testIntegration(base string) *Integration {
	return &Integration{
		Name: "t", Kind: "test",
		Operations: map[string]Operation{"do": &testOp{base: base}},
		Secrets:    []string{testSecret},
	}
}

func TestCallRecordsWithoutSecrets(t *testing.T) {
	var gotKey, gotUA, gotAuth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotKey, gotUA, gotAuth = r.Header.Get("Idempotency-Key"), r.Header.Get("User-Agent"), r.Header.Get("Authorization")
		w.Header().Set("Set-Cookie", "session=abc")
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"echo":"Bearer %s"}`, testSecret)
	}))
	defer srv.Close()
	s := NewSet(loopback, testIntegration(srv.URL))
	res, err := s.Call(context.Background(), Call{Integration: "t", Operation: "do", IdempotencyKey: "orders/1/r/s"})
	if err != nil {
		t.Fatal(err)
	}
	if gotKey != "orders/1/r/s" || gotUA != "hookflow" || gotAuth != "Bearer "+testSecret {
		t.Errorf("sent Idempotency-Key %q, User-Agent %q, Authorization %q", gotKey, gotUA, gotAuth)
	}
	rec := res.Request
	if rec.Headers["Authorization"] != "[redacted]" || rec.Headers["X-Api-Key"] != "[redacted]" {
		t.Errorf("credential headers recorded: %v", rec.Headers)
	}
	if rec.Headers["Idempotency-Key"] != "orders/1/r/s" || rec.Headers["Content-Type"] != "application/json" {
		t.Errorf("ordinary headers redacted: %v", rec.Headers)
	}
	if want := srv.URL + "?token=[redacted]&page=2"; rec.URL != want {
		t.Errorf("recorded URL %q, want %q", rec.URL, want)
	}
	if res.Response.Headers["Set-Cookie"] != "[redacted]" {
		t.Errorf("Set-Cookie recorded: %v", res.Response.Headers)
	}
	if res.Response.Body != `{"echo":"Bearer [redacted]"}` {
		t.Errorf("recorded response body %q", res.Response.Body)
	}
	all := fmt.Sprintf("%+v %+v", res.Request, *res.Response)
	if strings.Contains(all, testSecret) {
		t.Errorf("secret in recording: %s", all)
	}
}

func TestErrorClasses(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	redirected := atomic.Int32{}
	done := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // lets the server notice the client giving up
		switch {
		case r.URL.Path == "/elsewhere":
			redirected.Add(1)
			return
		case r.URL.Path == "/hang":
			select {
			case <-r.Context().Done():
			case <-done:
			}
			return
		}
		code, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/"))
		switch code {
		case 503:
			w.Header().Set("Retry-After", "7")
		case 429:
			w.Header().Set("Retry-After", now.Add(90*time.Second).Format(http.TimeFormat))
		case 301, 302, 307:
			w.Header().Set("Location", "/elsewhere?token=x")
		}
		w.WriteHeader(code)
		switch code {
		case 400:
			w.Write([]byte(`{"error":{"message":"email is invalid","code":"E1"}}`))
		case 401:
			fmt.Fprintf(w, "token %s is not valid", testSecret)
		case 422:
			w.Write([]byte(`{"errors":[{"message":"name missing"},{"message":"total must be > 0"}]}`))
		case 502:
			w.Write([]byte("<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"))
		case 500:
			w.Write([]byte(strings.Repeat("boom ", 200)))
		}
	}))
	defer srv.Close()
	defer close(done)
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()

	tests := []struct {
		name       string
		base, path string
		timeout    time.Duration
		retryable  bool
		status     int
		retryAfter time.Duration
		contains   string
	}{
		{"503 with Retry-After seconds", srv.URL, "/503", 0, true, 503, 7 * time.Second, "t.do: HTTP 503 Service Unavailable"},
		{"500", srv.URL, "/500", 0, true, 500, 0, "HTTP 500 Internal Server Error: boom boom"},
		{"502 html page", srv.URL, "/502", 0, true, 502, 0, "HTTP 502 Bad Gateway: 502 Bad Gateway"},
		{"408", srv.URL, "/408", 0, true, 408, 0, "HTTP 408"},
		{"429 with Retry-After date", srv.URL, "/429", 0, true, 429, 90 * time.Second, "HTTP 429 Too Many Requests"},
		{"400 vendor text", srv.URL, "/400", 0, false, 400, 0, "HTTP 400 Bad Request: email is invalid"},
		{"401 without the secret", srv.URL, "/401", 0, false, 401, 0, "token [redacted] is not valid"},
		{"404", srv.URL, "/404", 0, false, 404, 0, "HTTP 404 Not Found"},
		{"422 list of errors", srv.URL, "/422", 0, false, 422, 0, "name missing; total must be > 0"},
		{"301 not followed", srv.URL, "/301", 0, false, 301, 0, "redirect not followed (Location: /elsewhere)"},
		{"307 not followed", srv.URL, "/307", 0, false, 307, 0, "redirect not followed"},
		{"connection refused", closedURL, "/", 0, true, 0, 0, "connection refused"},
		{"timeout", srv.URL, "/hang", 50 * time.Millisecond, true, 0, 0, "no response within 50ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := testIntegration(tt.base)
			in.Timeout = tt.timeout
			s := NewSet(loopback, in)
			s.now = func() time.Time { return now }
			res, err := s.Call(context.Background(), Call{Integration: "t", Operation: "do", Input: map[string]any{"path": tt.path}, IdempotencyKey: "k"})
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v (%T), want *Error", err, err)
			}
			if ce.Retryable != tt.retryable || ce.Status != tt.status || ce.RetryAfter != tt.retryAfter {
				t.Errorf("got retryable=%v status=%d retryAfter=%s, want %v %d %s",
					ce.Retryable, ce.Status, ce.RetryAfter, tt.retryable, tt.status, tt.retryAfter)
			}
			if !strings.Contains(ce.Message, tt.contains) {
				t.Errorf("message %q does not contain %q", ce.Message, tt.contains)
			}
			if strings.Contains(ce.Message, testSecret) || len(ce.Message) > 400 {
				t.Errorf("message leaks a secret or is long (%d): %q", len(ce.Message), ce.Message)
			}
			if res.Request.Method == "" {
				t.Errorf("request not recorded")
			}
			if (tt.status != 0) != (res.Response != nil) {
				t.Errorf("response recorded = %v for status %d", res.Response != nil, tt.status)
			}
		})
	}
	if n := redirected.Load(); n != 0 {
		t.Errorf("a redirect was followed %d times", n)
	}
}

func TestResponseBodyCap(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chunk := []byte(strings.Repeat("x", 1024))
		for range 2048 { // 2 MiB
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	in := testIntegration(srv.URL)
	s := NewSet(loopback, in)
	res, err := s.Call(context.Background(), Call{Integration: "t", Operation: "do"})
	if err != nil {
		t.Fatal(err)
	}
	got := in.Operations["do"].(*testOp).got
	if len(got.Body) != MaxResponseBody || !got.Truncated {
		t.Errorf("operation saw %d bytes (truncated %v), want %d", len(got.Body), got.Truncated, MaxResponseBody)
	}
	if len(res.Response.Body) != MaxRecordedBody || !res.Response.Truncated {
		t.Errorf("recorded %d bytes (truncated %v), want %d", len(res.Response.Body), res.Response.Truncated, MaxRecordedBody)
	}
}

func TestCheck(t *testing.T) {
	s := NewSet(nil, testIntegration("http://x"), &Integration{Name: "ops", Kind: "webhook", Operations: map[string]Operation{"send": &testOp{}}})
	tests := []struct{ integration, operation, err string }{
		{"t", "do", ""},
		{"crm", "send", `unknown integration "crm" (configured: ops, t)`},
		{"ops", "post", `integration "ops" (kind webhook) has no operation "post" (has: send)`},
	}
	for _, tt := range tests {
		_, err := s.Check(tt.integration, tt.operation)
		if got := fmt.Sprint(err); (err != nil || tt.err != "") && got != tt.err {
			t.Errorf("Check(%s, %s) = %v, want %s", tt.integration, tt.operation, err, tt.err)
		}
	}
	if _, err := NewSet(nil).Check("crm", "x"); err == nil || err.Error() != `unknown integration "crm" (none configured)` {
		t.Errorf("empty set: %v", err)
	}
	if got := s.Timeout("t"); got != DefaultTimeout {
		t.Errorf("Timeout = %s", got)
	}
	if got := s.Retry("t"); got != DefaultRetry {
		t.Errorf("Retry = %+v", got)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"0", 0},
		{"120", 2 * time.Minute},
		{" 5 ", 5 * time.Second},
		{"-3", 0},
		{"soon", 0},
		{now.Add(time.Hour).Format(http.TimeFormat), time.Hour},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
		{now.Add(30 * time.Second).Format(time.RFC850), 30 * time.Second},
	}
	for _, tt := range tests {
		if got := retryAfter(tt.in, now); got != tt.want {
			t.Errorf("retryAfter(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}
