package legacy

import (
	"fmt"
	"sort"
	"strconv"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hookflow/hookflow/activities"
	"github.com/hookflow/hookflow/integrations"
	"github.com/hookflow/hookflow/rules"
)

// HealthConfigSignal is how workers configured the legacy monitor.
const HealthConfigSignal = "config"

// monitorWorkflowName is the monitor's registered name, which the legacy
// loop continues as.
const monitorWorkflowName = "HealthMonitor"

// HealthConfig is what the worker tells the monitor about the project.
type HealthConfig struct {
	// Checks is integration → probe interval.
	Checks map[string]time.Duration `json:"checks"`
	// Notify, when set, is the call step that announces each state change;
	// its templates see payload.integration, payload.state ("up"/"down"),
	// payload.message and payload.since.
	Notify       *rules.Step       `json:"notify,omitempty"`
	NotifyPolicy activities.Policy `json:"notify_policy"`
}

// HealthInput carries the config and the states across continue-as-new.
type HealthInput struct {
	Config HealthConfig                      `json:"config"`
	States map[string]activities.HealthState `json:"states,omitempty"`
	Alerts int                               `json:"alerts,omitempty"`
}

// ticksPerRun bounds a monitor run's history; it then continues as new.
const ticksPerRun = 500

// HealthMonitor is the legacy monitor loop: it probes the integrations its
// config signal names, keeps their state (queryable as "status"), and sends
// one notification per state change. At its next tick a live run hands off
// to the current monitor (handoff), carrying its states.
func HealthMonitor(ctx workflow.Context, in HealthInput, handoff func(states map[string]activities.HealthState, alerts int) error) error {
	cfg, states := in.Config, in.States
	if states == nil {
		states = map[string]activities.HealthState{}
	}
	if err := workflow.SetQueryHandler(ctx, activities.HealthQuery, func() (map[string]activities.HealthState, error) {
		return states, nil
	}); err != nil {
		return err
	}
	configs := workflow.GetSignalChannel(ctx, HealthConfigSignal)
	for tick := 0; tick < ticksPerRun; tick++ {
		// A live legacy run hands off at its next tick. The change id is
		// per tick because a GetVersion answer sticks for the run: ticks
		// replayed from history answer DefaultVersion without a marker.
		if workflow.GetVersion(ctx, "health-v2-handoff-"+strconv.Itoa(tick), workflow.DefaultVersion, 1) == 1 {
			return handoff(states, in.Alerts)
		}
		names := sortedChecks(cfg.Checks)
		for _, name := range sortedStates(states) { // forget integrations no longer checked
			if _, ok := cfg.Checks[name]; !ok {
				delete(states, name)
			}
		}
		if len(names) > 0 {
			actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
				StartToCloseTimeout: time.Minute,
				RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 1},
				Summary:             "probe " + fmt.Sprint(names),
			})
			var probes map[string]integrations.Probe
			if err := workflow.ExecuteActivity(actx, activities.ProbeIntegrationsName, names).Get(ctx, &probes); err != nil {
				workflow.GetLogger(ctx).Warn("health probes failed", "error", err)
			}
			now := workflow.Now(ctx)
			for _, name := range names {
				p, ok := probes[name]
				if !ok {
					continue
				}
				prev, known := states[name]
				st := activities.HealthState{Up: p.Up, Since: prev.Since, Checked: now, Message: p.Message, Interval: cfg.Checks[name]}
				changed := !known && !p.Up || known && prev.Up != p.Up
				if !known || changed {
					st.Since = now
				}
				states[name] = st
				if changed {
					in.Alerts++
					notify(ctx, cfg, name, st, in.Alerts)
				}
			}
		}
		timer := workflow.NewTimerWithOptions(ctx, minInterval(cfg.Checks), workflow.TimerOptions{Summary: "next health check"})
		sel := workflow.NewSelector(ctx)
		sel.AddFuture(timer, func(workflow.Future) {})
		sel.AddReceive(configs, func(c workflow.ReceiveChannel, _ bool) { c.Receive(ctx, &cfg) })
		sel.Select(ctx)
	}
	return workflow.NewContinueAsNewError(ctx, monitorWorkflowName, HealthInput{Config: cfg, States: states, Alerts: in.Alerts})
}

// notify sends one state-change notification; a failure is logged, not fatal.
func notify(ctx workflow.Context, cfg HealthConfig, name string, st activities.HealthState, n int) {
	if cfg.Notify == nil {
		return
	}
	state := "down"
	if st.Up {
		state = "up"
	}
	step := *cfg.Notify
	step.ID = fmt.Sprintf("alert-%d-%s-%s", n, name, state) // a key of its own per alert
	in := Input{Event: rules.Input{
		Event:   rules.Event{ID: step.ID, Type: "integration." + state, Trigger: "health", ReceivedAt: st.Since},
		Payload: map[string]any{"integration": name, "state": state, "message": st.Message, "since": st.Since.Format(time.RFC3339)},
	}}
	plan := activities.Plan{Policies: map[string]activities.Policy{step.Integration(): cfg.NotifyPolicy}}
	if err := callStep(ctx, in, plan, "health", step, rules.Scope{Input: in.Event}).Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Error("health notification failed", "integration", name, "state", state, "error", err)
	}
}

func sortedChecks(checks map[string]time.Duration) []string {
	names := make([]string, 0, len(checks))
	for n := range checks {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func minInterval(checks map[string]time.Duration) time.Duration {
	d := time.Duration(0)
	for _, name := range sortedChecks(checks) {
		if iv := checks[name]; d == 0 || iv < d {
			d = iv
		}
	}
	if d == 0 {
		return time.Minute
	}
	return d
}

func sortedStates(states map[string]activities.HealthState) []string {
	names := make([]string, 0, len(states))
	for n := range states {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
