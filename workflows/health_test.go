package workflows

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/workflow"

	"github.com/hookflow/hookflow/activities"
	"github.com/hookflow/hookflow/integrations"
	"github.com/hookflow/hookflow/rules"
)

func TestHealthMonitorAlertsOncePerChange(t *testing.T) {
	var s = &fakeActivities{}
	env := newEnv(t, s)
	var mu sync.Mutex
	probes := 0
	env.RegisterActivityWithOptions(func(_ context.Context, names []string) (map[string]integrations.Probe, error) {
		mu.Lock()
		defer mu.Unlock()
		probes++
		up := probes != 2 && probes != 3 // down on the 2nd and 3rd check
		return map[string]integrations.Probe{"crm": {Up: up, Message: map[bool]string{true: "HTTP 200", false: "HTTP 503"}[up]}}, nil
	}, activity.RegisterOptions{Name: activities.ProbeIntegrationsName})
	var alerts []string
	s.call = func(in activities.StepInput) (activities.StepResult, error) {
		p := in.Event.Payload.(map[string]any)
		alerts = append(alerts, p["integration"].(string)+" "+p["state"].(string))
		return ok(nil)
	}
	env.ExecuteWorkflow(HealthMonitor, HealthInput{Config: HealthConfig{
		Checks:       map[string]time.Duration{"crm": 10 * time.Second},
		Notify:       &rules.Step{Call: "ops.send"},
		NotifyPolicy: fastPolicy,
	}})
	var can *workflow.ContinueAsNewError
	if err := env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("monitor ended with %v; want continue-as-new after %d ticks", err, ticksPerRun)
	}
	if len(alerts) != 2 || alerts[0] != "crm down" || alerts[1] != "crm up" {
		t.Fatalf("alerts %v; want exactly one down and one up", alerts)
	}
	if probes != ticksPerRun {
		t.Fatalf("%d probes in one run, want %d", probes, ticksPerRun)
	}
}
