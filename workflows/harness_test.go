package workflows_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"

	"github.com/hookflow/hookflow/activities"
	"github.com/hookflow/hookflow/internal/project"
	"github.com/hookflow/hookflow/rules"
	"github.com/hookflow/hookflow/workflows"
)

// The workflow tests run HandleEvent in Temporal's test environment with
// the real activities over a real project, calling a receiver on
// 127.0.0.1 that records each request and answers as scripted.

const harnessProject = `
rules: ./rules
outbound: { allow_networks: [127.0.0.0/8] }
vars: { threshold: 100 }
triggers:
  shop: { verify: { scheme: none }, correlate: payload.key }
health:
  notify: ops.send
  with: { path: /alerts, body: { text: "${{ payload.integration }} is ${{ payload.state }}" } }
integrations:
  crm:
    kind: webhook
    url: ${URL}/crm
    retry: { initial: 1s, backoff: 2, max_interval: 10s, max_attempts: 5, expire: 1h }
  ops:
    kind: webhook
    url: ${URL}/ops
    retry: { initial: 1s, backoff: 2, max_interval: 10s, max_attempts: 3, expire: 1h }
  watched:
    kind: webhook
    url: ${URL}/watched
    health_check: { url: "${URL}/health", interval: 1m }
`

type request struct {
	Path string
	Key  string // Idempotency-Key
	Body string
}

// receiver records requests and answers each path from its script (a
// status per call, 200 once the script runs out), with body as the JSON.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	reqs   []request
	script map[string][]int
	bodies map[string]string
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{script: map[string][]int{}, bodies: map[string]string{}}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.reqs = append(r.reqs, request{Path: req.URL.Path, Key: req.Header.Get("Idempotency-Key"), Body: string(body)})
		status := http.StatusOK
		if s := r.script[req.URL.Path]; len(s) > 0 {
			status, r.script[req.URL.Path] = s[0], s[1:]
		}
		out := r.bodies[req.URL.Path]
		r.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		if out == "" {
			out = `{"ok":true}`
		}
		_, _ = io.WriteString(w, out)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) answer(path string, body string, statuses ...int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.script[path] = statuses
	if body != "" {
		r.bodies[path] = body
	}
}

func (r *receiver) paths() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, q := range r.reqs {
		out = append(out, q.Path)
	}
	return out
}

func (r *receiver) requests(path string) []request {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []request
	for _, q := range r.reqs {
		if q.Path == path {
			out = append(out, q)
		}
	}
	return out
}

// testWorkerOptions are the worker options of every test environment here:
// a busy machine can stall a workflow goroutine past the SDK's 1 s deadlock
// detector.
func testWorkerOptions() worker.Options {
	return worker.Options{DeadlockDetectionTimeout: time.Minute}
}

type harness struct {
	t    *testing.T
	recv *receiver
	acts *activities.Activities
	env  *testsuite.TestWorkflowEnvironment
	// started counts activity starts by kind and name: "local CallStep",
	// "activity CallStep", "local Evaluate"…
	mu      sync.Mutex
	started map[string]int
	inputs  []activities.StepInput // regular CallStep inputs
}

func newHarness(t *testing.T, ruleFiles map[string]string) *harness {
	t.Helper()
	recv := newReceiver(t)
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "rules"), 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("hookflow.yaml", harnessProject)
	for name, body := range ruleFiles {
		write(filepath.Join("rules", name), body)
	}
	p, err := project.Load(dir, func(k string) (string, bool) {
		if k == "URL" {
			return recv.URL, true
		}
		return "", false
	})
	if err != nil {
		t.Fatal(err)
	}
	acts := activities.New(activities.Project{
		Rules: p.Rules, Integrations: p.Integrations, SearchAttributes: p.SearchAttributes, HealthNotify: p.HealthNotify,
	}, activities.Deps{})
	h := &harness{t: t, recv: recv, acts: acts, started: map[string]int{}}
	var s testsuite.WorkflowTestSuite
	s.SetLogger(sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler)))
	h.env = s.NewTestWorkflowEnvironment()
	h.env.SetWorkerOptions(testWorkerOptions())
	workflows.Register(h.env)
	acts.Register(h.env)
	h.env.SetOnLocalActivityStartedListener(func(info *activity.Info, _ context.Context, _ []any) {
		h.count("local " + info.ActivityType.Name)
	})
	h.env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, args converter.EncodedValues) {
		h.count("activity " + info.ActivityType.Name)
		if info.ActivityType.Name == activities.CallStepName {
			var in activities.StepInput
			if err := args.Get(&in); err == nil {
				h.mu.Lock()
				h.inputs = append(h.inputs, in)
				h.mu.Unlock()
			}
		}
	})
	return h
}

func (h *harness) count(what string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.started[what]++
}

// localStarts counts the local activities started, of every name.
func (h *harness) localStarts() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for what, c := range h.started {
		if strings.HasPrefix(what, "local ") {
			n += c
		}
	}
	return n
}

func (h *harness) starts(what string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.started[what]
}

// event is a shop event; the plan is made as the front door makes it.
func (h *harness) event(typ string, payload map[string]any) workflows.Input {
	in := workflows.Input{Event: rules.Input{
		Event:   rules.Event{ID: "evt-1", Type: typ, Trigger: "shop", ReceivedAt: time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)},
		Headers: map[string]string{},
		Payload: payload,
	}}
	if k, ok := payload["key"].(string); ok {
		in.Correlation = k
	}
	plan, problems := h.acts.PlanFor(in.Event)
	if len(problems) > 0 {
		h.t.Fatalf("plan problems: %v", problems)
	}
	in.Plan = &plan
	return in
}

// run executes the workflow and returns its result and error; a failed or
// cancelled run's result is read from its error's details.
func (h *harness) run(in workflows.Input) (workflows.Result, error) {
	h.t.Helper()
	h.env.ExecuteWorkflow(workflows.WorkflowName, in)
	if !h.env.IsWorkflowCompleted() {
		h.t.Fatal("workflow did not complete")
	}
	var res workflows.Result
	err := h.env.GetWorkflowError()
	if err == nil {
		if err := h.env.GetWorkflowResult(&res); err != nil {
			h.t.Fatal(err)
		}
		return res, nil
	}
	var appErr *temporal.ApplicationError
	var canceled *temporal.CanceledError
	switch {
	case errors.As(err, &canceled):
		_ = canceled.Details(&res)
	case errors.As(err, &appErr):
		_ = appErr.Details(&res)
	}
	return res, err
}

func jsonBody(t *testing.T, r request) map[string]any {
	t.Helper()
	m, err := rules.DecodeJSON([]byte(r.Body))
	if err != nil {
		t.Fatalf("body %q: %v", r.Body, err)
	}
	out, _ := m.(map[string]any)
	return out
}

func joined(ss []string) string { return strings.Join(ss, " ") }

var _ = json.Marshal
