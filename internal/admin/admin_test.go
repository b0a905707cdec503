package admin

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/converter"

	"github.com/hookflow/hookflow/workflows"
)

type fakeSignaler struct {
	wf, name string
	arg      any
	err      error
	waiting  []workflows.Waiting // what the run says it waits for
	queryErr error
}

func (f *fakeSignaler) QueryWorkflow(_ context.Context, wf, _, query string, _ ...any) (converter.EncodedValue, error) {
	if f.queryErr != nil {
		return nil, f.queryErr
	}
	return encoded{f.waiting}, nil
}

// encoded is a query answer as the client hands it over.
type encoded struct{ v any }

func (e encoded) HasValue() bool { return e.v != nil }
func (e encoded) Get(ptr any) error {
	data, err := json.Marshal(e.v)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, ptr)
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
		// Signals reach only what a run waits for: never the health monitor's
		// config (which once chose any call), a mailbox, or a reserved name.
		{"health monitor", "t0k", "/runs/hookflow%2Fhealth/signals/config", "Bearer t0k", `{}`, nil, 400, false},
		{"mailbox", "t0k", "/runs/corr%2Finvoices%2Fin_1/signals/y", "Bearer t0k", `{}`, nil, 400, false},
		{"reserved name", "t0k", "/runs/x/signals/hookflow.event", "Bearer t0k", `{}`, nil, 400, false},
		{"not waited for", "t0k", "/runs/x/signals/qualfied", "Bearer t0k", `{}`, nil, 409, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sig := &fakeSignaler{err: tc.err, waiting: []workflows.Waiting{{Rule: "lead", Step: "q", Signal: "qualified"}, {Rule: "lead", Step: "y", Signal: "y"}}}
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
