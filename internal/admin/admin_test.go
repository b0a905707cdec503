package admin

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"go.temporal.io/api/serviceerror"
)

type fakeSignaler struct {
	wf, name string
	arg      any
	err      error
}

func (f *fakeSignaler) SignalWorkflow(_ context.Context, wf, _, name string, arg any) error {
	f.wf, f.name, f.arg = wf, name, arg
	return f.err
}

func TestSignal(t *testing.T) {
	cases := []struct {
		name, token, path, auth, body string
		err                           error
		status                        int
		delivered                     bool
	}{
		{"delivers", "t0k", "/runs/leads%2Fmsg_1/signals/qualified", "Bearer t0k", `{"by":"ann"}`, nil, 202, true},
		{"disabled without token", "", "/runs/x/signals/y", "Bearer t0k", `{}`, nil, 404, false},
		{"wrong token", "t0k", "/runs/x/signals/y", "Bearer nope", `{}`, nil, 401, false},
		{"no token", "t0k", "/runs/x/signals/y", "", `{}`, nil, 401, false},
		{"bad json", "t0k", "/runs/x/signals/y", "Bearer t0k", `{`, nil, 400, false},
		{"bad path", "t0k", "/runs/x", "Bearer t0k", `{}`, nil, 404, false},
		{"no such run", "t0k", "/runs/x/signals/y", "Bearer t0k", `{}`, serviceerror.NewNotFound("gone"), 404, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sig := &fakeSignaler{err: tc.err}
			h := &Handler{Token: tc.token, Signaler: sig, Logger: slog.New(slog.DiscardHandler)}
			r := httptest.NewRequest("POST", tc.path, strings.NewReader(tc.body))
			if tc.auth != "" {
				r.Header.Set("Authorization", tc.auth)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tc.status {
				t.Fatalf("status %d %s, want %d", w.Code, w.Body, tc.status)
			}
			if got := sig.name != ""; got != tc.delivered {
				t.Fatalf("delivered %v, want %v", got, tc.delivered)
			}
			if tc.name == "delivers" {
				if sig.wf != "leads/msg_1" || sig.name != "qualified" || sig.arg.(map[string]any)["by"] != "ann" {
					t.Fatalf("signal %+v", sig)
				}
			}
		})
	}
}

// TestErrorBodyReadable: the 401 says "Bearer <token>", not \u003ctoken\u003e,
// and ends with a newline.
func TestErrorBodyReadable(t *testing.T) {
	h := &Handler{Token: "t0k", Signaler: &fakeSignaler{}, Logger: slog.New(slog.DiscardHandler)}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("POST", "/runs/x/signals/y", strings.NewReader(`{}`)))
	if body := w.Body.String(); w.Code != 401 || !strings.Contains(body, "Bearer <token>") || !strings.HasSuffix(body, "}\n") {
		t.Fatalf("%d %q", w.Code, body)
	}
}
