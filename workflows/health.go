package workflows

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hookflow/hookflow/activities"
	"github.com/hookflow/hookflow/workflows/legacy"
)

// HealthWorkflowName is the monitor's registered name: public API.
const HealthWorkflowName = "HealthMonitor"

// HealthInput carries the monitor's states across continue-as-new. Config
// is only read by monitor runs started before the monitor read its checks
// from the worker's project.
type HealthInput struct {
	Config legacy.HealthConfig               `json:"config,omitzero"`
	States map[string]activities.HealthState `json:"states,omitempty"`
	Alerts int                               `json:"alerts,omitempty"`
	// Ticks is the rounds a run makes before it continues as new (0:
	// ticksPerRun); a test that records a continue-as-new shortens it.
	Ticks int `json:"ticks,omitempty"`
}

// ticksPerRun bounds a monitor run's history; it then continues as new.
const ticksPerRun = 500

// HealthMonitor probes the integrations' health checks, keeps their state
// (queryable as "status"), and sends one notification per state change.
// What it checks and how it notifies come from the worker's project files
// at each round (CheckHealth, NotifyHealth), never from a signal: no
// message to the monitor can choose a call. A notification runs beside the
// probe loop, so a slow or failing notify integration delays no check, and
// it bypasses the circuit, so an alert about the notify integration itself
// cannot wait on that integration.
func HealthMonitor(ctx workflow.Context, in HealthInput) error {
	if workflow.GetVersion(ctx, "health-v2", workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return legacy.HealthMonitor(ctx, legacy.HealthInput{Config: in.Config, States: in.States, Alerts: in.Alerts},
			func(states map[string]activities.HealthState, alerts int) error {
				return workflow.NewContinueAsNewError(ctx, HealthWorkflowName, HealthInput{States: states, Alerts: alerts})
			})
	}
	states, alerts := in.States, in.Alerts
	if states == nil {
		states = map[string]activities.HealthState{}
	}
	if err := workflow.SetQueryHandler(ctx, activities.HealthQuery, func() (map[string]activities.HealthState, error) {
		return maps.Clone(states), nil
	}); err != nil {
		return err
	}
	// Workers before this monitor configured it by signal; such signals are
	// drained and ignored.
	configs := workflow.GetSignalChannel(ctx, legacy.HealthConfigSignal)
	pending := 0 // notifications in flight
	ticks := in.Ticks
	if ticks <= 0 {
		ticks = ticksPerRun
	}
	for tick := 0; tick < ticks && !workflow.GetInfo(ctx).GetContinueAsNewSuggested(); tick++ {
		actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
			StartToCloseTimeout: time.Minute,
			RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 1},
			Summary:             "health checks",
		})
		var rep activities.HealthReport
		if err := workflow.ExecuteActivity(actx, activities.CheckHealthName).Get(ctx, &rep); err != nil {
			workflow.GetLogger(ctx).Warn("health checks failed", "error", err)
		}
		now := workflow.Now(ctx)
		for _, name := range slices.Sorted(maps.Keys(states)) { // forget integrations no longer checked
			if _, ok := rep.Intervals[name]; !ok && rep.Intervals != nil {
				delete(states, name)
			}
		}
		for _, name := range slices.Sorted(maps.Keys(rep.Probes)) {
			p := rep.Probes[name]
			prev, known := states[name]
			st := activities.HealthState{Up: p.Up, Since: prev.Since, Checked: now, Message: p.Message, Interval: rep.Intervals[name]}
			if !known || prev.Up != p.Up {
				st.Since = now
			}
			states[name] = st
			// Known integrations alert on a change; a new one only when down.
			if (known && prev.Up != p.Up) || (!known && !p.Up) {
				alerts++
				if rep.Notify != nil {
					pending++
					change := activities.HealthChange{Integration: name, Up: p.Up, Since: st.Since, Message: p.Message, Alert: alerts}
					workflow.Go(ctx, func(ctx workflow.Context) {
						defer func() { pending-- }()
						notifyHealth(ctx, *rep.Notify, change)
					})
				}
			}
		}
		for {
			var ignored any
			if !configs.ReceiveAsync(&ignored) {
				break
			}
			workflow.GetLogger(ctx).Warn("config signal ignored: the monitor reads its checks from the worker's project files")
		}
		if err := workflow.NewTimerWithOptions(ctx, minInterval(rep.Intervals), workflow.TimerOptions{Summary: "next health check"}).Get(ctx, nil); err != nil {
			return err
		}
	}
	// Continue as new only once no notification is in flight, so none is
	// cut off; signals that came meanwhile are ignored config signals.
	if err := workflow.Await(ctx, func() bool { return pending == 0 }); err != nil {
		return err
	}
	return workflow.NewContinueAsNewError(ctx, HealthWorkflowName, HealthInput{States: states, Alerts: alerts, Ticks: in.Ticks})
}

// notifyHealth announces one change; its failure is logged, not fatal.
func notifyHealth(ctx workflow.Context, policy activities.Policy, ch activities.HealthChange) {
	retry, timeout := policy.Retry, policy.Timeout
	if timeout <= 0 {
		timeout = time.Minute
	}
	state := map[bool]string{true: "up", false: "down"}[ch.Up]
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout:    timeout,
		ScheduleToCloseTimeout: max(retry.Expire, timeout),
		HeartbeatTimeout:       heartbeatTimeout,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    retry.Initial,
			BackoffCoefficient: retry.Backoff,
			MaximumInterval:    retry.MaxInterval,
			MaximumAttempts:    int32(retry.MaxAttempts),
		},
		Summary: fmt.Sprintf("notify: %s is %s", ch.Integration, state),
	})
	if err := workflow.ExecuteActivity(ctx, activities.NotifyHealthName, ch).Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Error("health notification failed", "integration", ch.Integration, "state", state, "error", err)
	}
}

func minInterval(intervals map[string]time.Duration) time.Duration {
	d := time.Duration(0)
	for _, name := range slices.Sorted(maps.Keys(intervals)) {
		if iv := intervals[name]; iv > 0 && (d == 0 || iv < d) {
			d = iv
		}
	}
	if d == 0 {
		return time.Minute
	}
	return d
}
