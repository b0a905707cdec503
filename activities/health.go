package activities

import (
	"context"
	"fmt"
	"sync"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/hookflow/hookflow/integrations"
)

// Health monitor names: public API, like the workflow's.
const (
	ProbeIntegrationsName = "ProbeIntegrations"
	HealthWorkflowID      = "hookflow/health"
	HealthQuery           = "status"
)

// HealthState is what the health monitor knows of one integration.
type HealthState struct {
	Up       bool          `json:"up"`
	Since    time.Time     `json:"since"`
	Checked  time.Time     `json:"checked"`
	Message  string        `json:"message"`
	Interval time.Duration `json:"interval"`
}

// ProbeIntegrations runs the health checks of the named integrations.
func (a *Activities) ProbeIntegrations(ctx context.Context, names []string) (map[string]integrations.Probe, error) {
	p := a.current()
	out := make(map[string]integrations.Probe, len(names))
	for _, name := range names {
		probe, err := p.Integrations.Probe(ctx, name)
		if err != nil {
			probe = integrations.Probe{Message: err.Error()} // removed from the project since: report down
		}
		out[name] = probe
		if a.metrics != nil {
			a.metrics.IntegrationUp(name, probe.Up)
		}
	}
	return out, nil
}

// circuit answers "is this integration known to be down?" from the health
// monitor, asking it at most every few seconds.
type circuit struct {
	mu      sync.Mutex
	fetched time.Time
	states  map[string]HealthState
}

const circuitCacheFor = 5 * time.Second

// open returns an error that delays the step when its integration is down:
// the step waits for the next health check instead of calling a vendor that
// is known not to answer. Without a monitor, the circuit stays closed.
func (a *Activities) circuitOpen(ctx context.Context, integration string) error {
	if a.temporal == nil || !a.current().Integrations.Checked(integration) {
		return nil // the hot path: no health check, no question to ask
	}
	a.circuit.mu.Lock()
	defer a.circuit.mu.Unlock()
	if time.Since(a.circuit.fetched) > circuitCacheFor {
		a.circuit.fetched = time.Now()
		a.circuit.states = nil
		if v, err := a.temporal.QueryWorkflow(ctx, HealthWorkflowID, "", HealthQuery); err == nil {
			_ = v.Get(&a.circuit.states)
		}
	}
	st, ok := a.circuit.states[integration]
	if !ok || st.Up {
		return nil
	}
	// Look again a few times per check interval, so the step resumes soon after recovery.
	delay := max(st.Interval/4, time.Second)
	return temporal.NewApplicationErrorWithOptions(
		fmt.Sprintf("circuit open: %s has been down since %s (%s); waiting for its health check to pass", integration, st.Since.Format(time.RFC3339), st.Message),
		"CircuitOpen", temporal.ApplicationErrorOptions{NextRetryDelay: delay})
}
