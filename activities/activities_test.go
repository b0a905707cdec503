package activities_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"

	"github.com/hookflow/hookflow/activities"
	"github.com/hookflow/hookflow/internal/project"
	"github.com/hookflow/hookflow/rules"
)

const testProject = `
rules: ./rules
outbound: { allow_networks: [127.0.0.0/8] }
triggers:
  shop: { verify: { scheme: none } }
health:
  notify: ops.send
  with: { path: /alerts, body: { text: "${{ payload.integration }} is ${{ payload.state }}" } }
integrations:
  ops:
    kind: webhook
    url: ${URL}/ops
    health_check: { url: "${URL}/health", interval: 1m }
`

// load builds activities over a one-integration project calling url.
func load(t *testing.T, url string, tc activities.Temporal) *activities.Activities {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "rules"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "hookflow.yaml"), []byte(testProject), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := project.Load(dir, func(k string) (string, bool) { return url, k == "URL" })
	if err != nil {
		t.Fatal(err)
	}
	return activities.New(activities.Project{Rules: p.Rules, Integrations: p.Integrations, HealthNotify: p.HealthNotify}, activities.Deps{Temporal: tc})
}

// monitor is a Temporal client whose health monitor says every checked
// integration is down; release, when set, holds each query until closed.
type monitor struct {
	activities.Temporal
	queries atomic.Int32
	release chan struct{}
}

func (m *monitor) QueryWorkflow(ctx context.Context, _, _, _ string, _ ...any) (converter.EncodedValue, error) {
	m.queries.Add(1)
	if m.release != nil {
		select {
		case <-m.release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return states{"ops": {Up: false, Since: time.Now(), Message: "HTTP 503", Interval: time.Minute}}, nil
}

func (m *monitor) SignalWithStartWorkflow(context.Context, string, string, any, client.StartWorkflowOptions, any, ...any) (client.WorkflowRun, error) {
	return nil, nil
}

func (m *monitor) WorkflowService() workflowservice.WorkflowServiceClient { return nil }

type states map[string]activities.HealthState

func (s states) HasValue() bool { return true }
func (s states) Get(ptr any) error {
	data, _ := json.Marshal(s)
	return json.Unmarshal(data, ptr)
}

type hits struct {
	mu    sync.Mutex
	paths []string
	delay time.Duration
}

func (h *hits) server(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		h.mu.Lock()
		h.paths = append(h.paths, r.URL.Path)
		d := h.delay
		h.mu.Unlock()
		time.Sleep(d)
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func (h *hits) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.paths)
}

// TestNotifyHealthBypassesTheCircuit: the alert that an integration is down
// goes out even when it is the notify integration itself (it once waited on
// the circuit that waited on the monitor that waited on the alert).
func TestNotifyHealthBypassesTheCircuit(t *testing.T) {
	var h hits
	srv := h.server(t)
	acts := load(t, srv.URL, &monitor{})
	var env testsuite.WorkflowTestSuite
	aenv := env.NewTestActivityEnvironment()
	acts.Register(aenv)
	if _, err := aenv.ExecuteActivity(acts.NotifyHealth, activities.HealthChange{Integration: "ops", Up: false, Since: time.Now(), Alert: 1}); err != nil {
		t.Fatal(err)
	}
	if h.count() != 1 {
		t.Fatalf("%d calls; want the alert sent although ops' circuit is open", h.count())
	}
	// A step of ops, by contrast, waits for the circuit and calls nothing.
	v, err := aenv.ExecuteActivity(acts.CallStep, activities.StepInput{WorkflowID: "shop/1", Rule: "r", Step: rules.Step{ID: "s", Call: "ops.send"}, Prepared: true, Input: map[string]any{"path": "/x"}})
	if err != nil {
		t.Fatal(err)
	}
	var res activities.StepResult
	if err := v.Get(&res); err != nil || res.Pending == nil || res.Pending.Reason != activities.PendingCircuit || h.count() != 1 {
		t.Fatalf("step result %+v (%v), %d calls; want it held by the circuit", res, err, h.count())
	}
}

// TestCircuitNeverWaitsOnASlowMonitor: while one call asks the monitor
// (slowly), other calls do not queue behind it.
func TestCircuitNeverWaitsOnASlowMonitor(t *testing.T) {
	var h hits
	srv := h.server(t)
	m := &monitor{release: make(chan struct{})}
	acts := load(t, srv.URL, m)
	var env testsuite.WorkflowTestSuite
	in := activities.StepInput{WorkflowID: "shop/1", Rule: "r", Step: rules.Step{ID: "s", Call: "ops.send"}, Prepared: true}
	slow := make(chan error, 1)
	go func() {
		aenv := env.NewTestActivityEnvironment()
		acts.Register(aenv)
		_, err := aenv.ExecuteActivity(acts.CallStep, in)
		slow <- err
	}()
	deadline := time.Now().Add(5 * time.Second)
	for m.queries.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	done := make(chan error, 1)
	go func() {
		aenv := env.NewTestActivityEnvironment()
		acts.Register(aenv)
		_, err := aenv.ExecuteActivity(acts.CallStep, in)
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a second call waited for the first one's query to the monitor")
	}
	close(m.release)
	if err := <-slow; err != nil {
		t.Fatal(err)
	}
}

// TestCallStepHeartbeatsWhileCalling: a CallStep activity heartbeats while
// its call is in flight, so a worker killed mid-call is noticed by the
// heartbeat timeout, not after the attempt timeout.
func TestCallStepHeartbeatsWhileCalling(t *testing.T) {
	h := hits{delay: 2500 * time.Millisecond}
	srv := h.server(t)
	acts := load(t, srv.URL, nil)
	var env testsuite.WorkflowTestSuite
	aenv := env.NewTestActivityEnvironment()
	acts.Register(aenv)
	var beats atomic.Int32
	aenv.SetOnActivityHeartbeatListener(func(*activity.Info, converter.EncodedValues) { beats.Add(1) })
	if _, err := aenv.ExecuteActivity(acts.CallStep, activities.StepInput{WorkflowID: "shop/1", Rule: "r", Step: rules.Step{ID: "s", Call: "ops.send"}, Prepared: true}); err != nil {
		t.Fatal(err)
	}
	// The SDK sends the first heartbeat at once and throttles the rest to
	// its heartbeat timeout; one sent mid-call is what matters.
	if beats.Load() < 1 {
		t.Fatalf("no heartbeat during a 2.5 s call")
	}
}
