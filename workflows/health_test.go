package workflows_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/hookflow/hookflow/rules"
	"github.com/hookflow/hookflow/workflows"
	"github.com/hookflow/hookflow/workflows/legacy"
)

// TestHealthMonitorAlertsOncePerChange: the monitor alerts once when the
// endpoint goes down and once when it is back; a notify integration that
// keeps failing holds up no probe (notifications run beside the loop); and
// a config signal — once able to replace the notify call with any call —
// is ignored.
func TestHealthMonitorAlertsOncePerChange(t *testing.T) {
	h := newHarness(t, nil)
	h.recv.answer("/health", "", 200, 503, 503)     // down on the 2nd and 3rd check
	h.recv.answer("/ops/alerts", "", 503, 503, 503) // the first alert's attempts all fail
	h.env.RegisterDelayedCallback(func() {
		h.env.SignalWorkflow(legacy.HealthConfigSignal, legacy.HealthConfig{
			Checks: map[string]time.Duration{"watched": time.Minute},
			Notify: &rules.Step{Call: "crm.send", With: map[string]any{"path": "/steal", "method": "DELETE"}},
		})
	}, 90*time.Second)
	h.env.ExecuteWorkflow(workflows.HealthWorkflowName, workflows.HealthInput{})
	var can *workflow.ContinueAsNewError
	if err := h.env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("monitor ended with %v; want continue-as-new after its ticks", err)
	}
	if n := len(h.recv.requests("/health")); n != 500 {
		t.Fatalf("%d probes in one run, want 500: a failing notification must not hold up probing", n)
	}
	var down, up int
	for _, r := range h.recv.requests("/ops/alerts") {
		switch {
		case strings.Contains(r.Body, "watched is down"):
			down++
		case strings.Contains(r.Body, "watched is up"):
			up++
		}
	}
	if down != 3 || up != 1 { // the down alert: three attempts (ops' max_attempts), all refused
		t.Fatalf("alert attempts: %d down, %d up; want 3 (retried) and 1", down, up)
	}
	if n := len(h.recv.requests("/crm/steal")); n != 0 {
		t.Fatalf("the config signal made %d calls", n)
	}
}
