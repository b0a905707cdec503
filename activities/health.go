package activities

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/hookflow/hookflow/integrations"
	"github.com/hookflow/hookflow/rules"
)

// Health monitor names: public API, like the workflow's.
const (
	// ProbeIntegrationsName probes named integrations; only monitor runs
	// recorded before CheckHealth call it.
	ProbeIntegrationsName = "ProbeIntegrations"
	CheckHealthName       = "CheckHealth"
	NotifyHealthName      = "NotifyHealth"
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
	return a.probe(ctx, a.current(), names), nil
}

func (a *Activities) probe(ctx context.Context, p *Project, names []string) map[string]integrations.Probe {
	out := make(map[string]integrations.Probe, len(names))
	for _, name := range names {
		probe, err := p.Integrations.Probe(ctx, name)
		if err != nil {
			probe = integrations.Probe{Message: err.Error()} // removed from the project since: report down
		}
		out[name] = probe
		if a.deps.Metrics != nil {
			a.deps.Metrics.IntegrationUp(name, probe.Up)
		}
	}
	return out
}

// HealthReport is one round of health checks: what the worker's project
// checks, how often, and what each check found.
type HealthReport struct {
	Intervals map[string]time.Duration      `json:"intervals"`
	Probes    map[string]integrations.Probe `json:"probes"`
	// Notify is the retry policy of the project's health notification, nil
	// when the project sends none.
	Notify *Policy `json:"notify,omitempty"`
}

// CheckHealth probes every integration the worker's project checks. The
// list comes from the project files the worker loaded, never from the
// workflow: nothing sent to the monitor can choose what is called.
func (a *Activities) CheckHealth(ctx context.Context) (HealthReport, error) {
	p := a.current()
	checks := p.Integrations.HealthChecks()
	rep := HealthReport{Intervals: make(map[string]time.Duration, len(checks))}
	for name, hc := range checks {
		rep.Intervals[name] = hc.Interval
	}
	rep.Probes = a.probe(ctx, p, slices.Sorted(maps.Keys(checks)))
	if n := p.HealthNotify; n != nil {
		name := n.Integration()
		rep.Notify = &Policy{Retry: p.Integrations.Retry(name), Timeout: p.Integrations.Timeout(name)}
	}
	return rep, nil
}

// HealthChange is one integration going up or down; Alert numbers the
// monitor's notifications, so each has an idempotency key of its own.
type HealthChange struct {
	Integration string    `json:"integration"`
	Up          bool      `json:"up"`
	Since       time.Time `json:"since"`
	Message     string    `json:"message"`
	Alert       int       `json:"alert"`
}

// NotifyHealth sends the project's health notification for one change. The
// call is the one in the worker's hookflow.yaml (`health.notify`); its
// templates see payload.integration, payload.state ("up" or "down"),
// payload.message and payload.since. It bypasses the circuit, so an alert
// about the notifying integration itself cannot wait on that integration.
func (a *Activities) NotifyHealth(ctx context.Context, ch HealthChange) (integrations.Result, error) {
	p := a.current()
	if p.HealthNotify == nil {
		return integrations.Result{}, nil // removed from the project since
	}
	state := "down"
	if ch.Up {
		state = "up"
	}
	step := *p.HealthNotify
	step.ID = fmt.Sprintf("alert-%d-%s-%s", ch.Alert, ch.Integration, state)
	in := StepInput{
		WorkflowID: HealthWorkflowID,
		Rule:       "health",
		Step:       step,
		Event: rules.Input{
			Event:   rules.Event{ID: step.ID, Type: "integration." + state, Trigger: "health", ReceivedAt: ch.Since},
			Payload: map[string]any{"integration": ch.Integration, "state": state, "message": ch.Message, "since": ch.Since.Format(time.RFC3339)},
		},
	}
	input, _, err := prepare(p, in)
	if err != nil {
		return integrations.Result{}, err
	}
	res, err := callHeartbeating(ctx, p.Integrations, integrations.Call{
		Integration:    step.Integration(),
		Operation:      step.Operation(),
		Input:          input,
		IdempotencyKey: IdempotencyKey(HealthWorkflowID, "health", step.ID),
	})
	a.record(ctx, in, err, 0)
	if err == nil {
		return res, nil
	}
	return integrations.Result{}, callError(err, res)
}

// callError turns a failed call into the activity error Temporal retries
// (or not) by the integration's classification.
func callError(err error, res integrations.Result) error {
	var callErr *integrations.Error
	if !errors.As(err, &callErr) {
		return temporal.NewNonRetryableApplicationError(err.Error(), "CallError", nil, res)
	}
	return temporal.NewApplicationErrorWithOptions(callErr.Message, errorType(callErr), temporal.ApplicationErrorOptions{
		NonRetryable:   !callErr.Retryable,
		NextRetryDelay: callErr.RetryAfter,
		Details:        []any{res},
	})
}

// circuit answers "is this integration known to be down?" from the health
// monitor, asking it at most every few seconds.
type circuit struct {
	mu      sync.Mutex
	fetched time.Time
	states  map[string]HealthState
	asking  bool // one query at a time; others use the last answer
}

const circuitCacheFor = 5 * time.Second

// circuitOpen reports whether the step's integration is known to be down,
// with a message and how long to wait before looking again. Without a
// monitor the circuit stays closed. The lock is never held across the
// query, so a slow monitor cannot stall every call.
func (a *Activities) circuitOpen(ctx context.Context, integration string) (msg string, delay time.Duration, open bool) {
	if a.deps.Temporal == nil || !a.current().Integrations.Checked(integration) {
		return "", 0, false // the hot path: no health check, no question to ask
	}
	c := &a.circuit
	c.mu.Lock()
	stale := time.Since(c.fetched) > circuitCacheFor && !c.asking
	if stale {
		c.asking = true
	}
	c.mu.Unlock()
	if stale {
		var states map[string]HealthState
		if v, err := a.deps.Temporal.QueryWorkflow(ctx, HealthWorkflowID, "", HealthQuery); err == nil {
			_ = v.Get(&states)
		}
		c.mu.Lock()
		c.states, c.fetched, c.asking = states, time.Now(), false
		c.mu.Unlock()
	}
	c.mu.Lock()
	st, ok := c.states[integration]
	c.mu.Unlock()
	if !ok || st.Up {
		return "", 0, false
	}
	// Look again a few times per check interval, so the step resumes soon after recovery.
	delay = max(st.Interval/4, time.Second)
	return fmt.Sprintf("circuit open: %s has been down since %s (%s); waiting for its health check to pass", integration, st.Since.Format(time.RFC3339), st.Message), delay, true
}
