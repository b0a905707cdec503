package triggers

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/triggers/verify"
	"github.com/hookflow/hookflow/workflows"
)

type fakeStarter struct {
	calls []workflows.Input
	err   error
}

func (f *fakeStarter) Start(_ context.Context, in workflows.Input) (Started, error) {
	f.calls = append(f.calls, in)
	if f.err != nil {
		return Started{}, f.err
	}
	return Started{WorkflowID: WorkflowID(in.Event.Event.Trigger, in.Event.Event.ID), RunID: "run-1"}, nil
}

const hookProject = `
gh:
  verify: {scheme: github, secret: "It's a Secret to Everybody"}
  body_limit: 64KiB
  schema:
    action: required
`

func newTestServer(t *testing.T, st Starter) http.Handler {
	t.Helper()
	set, err := loadYAML(t, hookProject)
	if err != nil {
		t.Fatal(err)
	}
	return NewServer(Deps{Triggers: set, Starter: st, UIBase: "http://ui", Now: func() time.Time { return time.Unix(1700000000, 0) }})
}

func githubRequest(t *testing.T, body string, mutate func(http.Header)) *http.Request {
	t.Helper()
	h, err := verify.Sign(verify.Config{Scheme: "github", Secret: verify.Secrets{"It's a Secret to Everybody"}}, verify.Request{Body: []byte(body)}, "d-1", time.Unix(1700000000, 0))
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("POST", "/hooks/gh", strings.NewReader(body))
	for k, v := range h {
		r.Header[k] = v
	}
	r.Header.Set("X-GitHub-Event", "issues")
	r.Header.Set("Authorization", "token must-not-leak")
	if mutate != nil {
		mutate(r.Header)
	}
	return r
}

func TestHookAcceptsAndBuildsInput(t *testing.T) {
	st := &fakeStarter{}
	srv := newTestServer(t, st)
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, githubRequest(t, `{"action":"opened","n":12345678901234567}`, nil))
	if w.Code != http.StatusAccepted {
		t.Fatalf("status %d %s", w.Code, w.Body)
	}
	var ans map[string]any
	_ = json.Unmarshal(w.Body.Bytes(), &ans)
	if ans["workflow_id"] != "gh/d-1" || ans["ui_url"] != "http://ui/namespaces/default/workflows/gh%2Fd-1/run-1/history" {
		t.Fatalf("answer %v", ans)
	}
	in := st.calls[0].Event
	if in.Event.Type != "issues" || in.Event.Trigger != "gh" || !in.Event.ReceivedAt.Equal(time.Unix(1700000000, 0)) {
		t.Errorf("event %+v", in.Event)
	}
	for k := range in.Headers {
		if k == "authorization" || strings.Contains(k, "signature") {
			t.Errorf("header %s reached the workflow input", k)
		}
	}
	if n := in.Payload.(map[string]any)["n"]; n != int64(12345678901234567) {
		t.Errorf("payload n = %#v, want the exact integer", n)
	}
}

func TestHookRejectionsStartNothing(t *testing.T) {
	cases := []struct {
		name   string
		req    func(t *testing.T) *http.Request
		status int
		says   string
	}{
		{"bad signature", func(t *testing.T) *http.Request {
			return githubRequest(t, `{"action":"opened"}`, func(h http.Header) { h.Set("X-Hub-Signature-256", "sha256="+strings.Repeat("0", 64)) })
		}, 401, "signature verification failed"},
		{"tampered body", func(t *testing.T) *http.Request {
			r := githubRequest(t, `{"action":"opened"}`, nil)
			r.Body = httptestBody(`{"action":"closed"}`)
			return r
		}, 401, "signature"},
		{"not json", func(t *testing.T) *http.Request { return githubRequest(t, `{"action":`, nil) }, 400, "not valid JSON"},
		{"empty", func(t *testing.T) *http.Request { return githubRequest(t, ``, nil) }, 400, "empty"},
		{"schema", func(t *testing.T) *http.Request { return githubRequest(t, `{"n":1}`, nil) }, 422, "schema"},
		{"too large", func(t *testing.T) *http.Request {
			return githubRequest(t, `{"action":"`+strings.Repeat("x", 70<<10)+`"}`, nil)
		}, 413, "64 KiB"},
		{"unknown trigger", func(t *testing.T) *http.Request {
			return httptest.NewRequest("POST", "/hooks/nope", strings.NewReader(`{}`))
		}, 404, `unknown trigger \"nope\"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := &fakeStarter{}
			w := httptest.NewRecorder()
			newTestServer(t, st).ServeHTTP(w, tc.req(t))
			if w.Code != tc.status || !strings.Contains(w.Body.String(), tc.says) {
				t.Fatalf("got %d %s, want %d containing %q", w.Code, w.Body, tc.status, tc.says)
			}
			if len(st.calls) != 0 {
				t.Fatalf("a rejected request started %d run(s)", len(st.calls))
			}
		})
	}
}

func TestHookTemporalDownIs503(t *testing.T) {
	st := &fakeStarter{err: errUnavailable{cause: errors.New("connection refused")}}
	w := httptest.NewRecorder()
	newTestServer(t, st).ServeHTTP(w, githubRequest(t, `{"action":"opened"}`, nil))
	if w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), "retry later") {
		t.Fatalf("got %d %s", w.Code, w.Body)
	}
}

func httptestBody(s string) *readCloser { return &readCloser{strings.NewReader(s)} }

type readCloser struct{ *strings.Reader }

func (readCloser) Close() error { return nil }
