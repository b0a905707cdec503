package legacy

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hookflow/hookflow/activities"
	"github.com/hookflow/hookflow/rules"
)

// WorkflowName is the legacy run's registered name.
const WorkflowName = "HandleEvent"

// Input is the workflow's input: the verified, validated event.
type Input struct {
	Event rules.Input `json:"event"`
	// Replay is set when an operator re-runs a failed run (hookflow replay).
	Replay *Replay `json:"replay,omitempty"`
	// Correlation is the trigger's correlate key: the run is findable by it
	// (HookCorrelationKey) and routes this event, as a signal named after
	// its type, to other running runs with the same key.
	Correlation string `json:"correlation,omitempty"`
}

// Replay re-runs a failed run under the same workflow id, so every step keeps
// its idempotency key. Steps that succeeded before are not called again:
// their recorded states are reused.
type Replay struct {
	FromRunID string `json:"from_run_id"`
	// Plan, when set, is the failed run's plan (--rules original); when nil
	// the current rules are matched again (--rules current).
	Plan *activities.Plan `json:"plan,omitempty"`
	// Done is rule → step → state from the failed run; only succeeded states are reused.
	Done map[string]map[string]rules.StepState `json:"done,omitempty"`
}

// Result is what a run returns, visible in the Web UI.
type Result struct {
	Status  string       `json:"status"`
	Version string       `json:"rules_version,omitempty"`
	Rules   []RuleResult `json:"rules,omitempty"`
	// Plan is kept on failure, so a replay can follow the original rules.
	Plan *activities.Plan `json:"plan,omitempty"`
}

// RuleResult is the outcome of one matched rule.
type RuleResult struct {
	Name    string                     `json:"name"`
	Status  string                     `json:"status"`
	Steps   map[string]rules.StepState `json:"steps"`
	Failure *rules.Failure             `json:"failure,omitempty"`
}

// HandleEvent runs the rules that match one event, as runs started before
// the run model v2 did.
func HandleEvent(ctx workflow.Context, in Input) (Result, error) {
	if in.Correlation != "" && in.Replay == nil {
		routeEvent(ctx, in)
	}
	var plan activities.Plan
	var err error
	if in.Replay != nil && in.Replay.Plan != nil {
		plan = *in.Replay.Plan
	} else {
		plan, err = matchRules(ctx, in)
	}
	if err != nil {
		setStatus(ctx, StatusFailed)
		return Result{Status: StatusFailed}, err
	}
	names := make([]string, len(plan.Rules))
	for i, r := range plan.Rules {
		names[i] = r.Name
	}
	_ = workflow.UpsertTypedSearchAttributes(ctx,
		AttrRules.ValueSet(names),
		AttrRulesVersion.ValueSet(plan.Version))
	if len(plan.Attributes) > 0 {
		// Only plans of projects that declare attributes have them, so runs
		// recorded without them replay unchanged.
		updates, problems := attributeUpdates(plan.Attributes)
		for _, p := range problems {
			workflow.GetLogger(ctx).Warn("search attribute not set", "problem", p)
		}
		if err := workflow.UpsertTypedSearchAttributes(ctx, updates...); err != nil {
			workflow.GetLogger(ctx).Warn("set project search attributes", "error", err)
		}
	}
	// The run's one-line summary in the Web UI: which rules it runs.
	if len(plan.Rules) == 0 {
		workflow.SetCurrentDetails(ctx, "no rule matched")
	} else {
		workflow.SetCurrentDetails(ctx, fmt.Sprintf("%s · %s · rules: %s", in.Event.Event.Trigger, in.Event.Event.Type, strings.Join(names, ", ")))
	}
	if len(plan.Rules) == 0 {
		setStatus(ctx, StatusNoMatch)
		return Result{Status: StatusNoMatch, Version: plan.Version}, nil
	}

	res := Result{Status: StatusCompleted, Version: plan.Version, Rules: make([]RuleResult, len(plan.Rules))}
	wg := workflow.NewWaitGroup(ctx)
	for i := range plan.Rules {
		wg.Add(1)
		workflow.Go(ctx, func(ctx workflow.Context) {
			defer wg.Done()
			var done map[string]rules.StepState
			if in.Replay != nil {
				done = in.Replay.Done[plan.Rules[i].Name]
			}
			res.Rules[i] = runRule(ctx, in, plan, plan.Rules[i], done)
		})
	}
	wg.Wait(ctx)

	var failed, failedSteps []string
	for _, r := range res.Rules {
		if r.Status == StatusFailed {
			failed = append(failed, fmt.Sprintf("rule %s step %s: %s", r.Name, r.Failure.Step, r.Failure.Message))
			failedSteps = append(failedSteps, r.Name+"/"+r.Failure.Step)
		}
	}
	if len(failed) > 0 {
		res.Status = StatusFailed
		res.Plan = &plan
		// Runs recorded before HookFailedSteps existed replay without it.
		if workflow.GetVersion(ctx, "HookFailedSteps", workflow.DefaultVersion, 1) >= 1 {
			_ = workflow.UpsertTypedSearchAttributes(ctx, AttrFailedSteps.ValueSet(failedSteps))
		}
		setStatus(ctx, StatusFailed)
		return res, temporal.NewNonRetryableApplicationError(strings.Join(failed, "; "), "StepFailed", nil, res)
	}
	setStatus(ctx, StatusCompleted)
	return res, nil
}

func matchRules(ctx workflow.Context, in Input) (activities.Plan, error) {
	ctx = workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 3},
	})
	var plan activities.Plan
	err := workflow.ExecuteLocalActivity(ctx, activities.MatchRulesName, in.Event).Get(ctx, &plan)
	return plan, err
}

// MetricRunsFinished counts finished runs by status (the SDK's metrics
// handler is replay-safe: a replayed run is not counted twice).
const MetricRunsFinished = "hookflow_runs_finished_total"

// setStatus records a run's final status in HookStatus and in metrics.
func setStatus(ctx workflow.Context, status string) {
	if err := workflow.UpsertTypedSearchAttributes(ctx, AttrStatus.ValueSet(status)); err != nil {
		workflow.GetLogger(ctx).Warn("set HookStatus", "error", err)
	}
	workflow.GetMetricsHandler(ctx).WithTags(map[string]string{"status": status}).Counter(MetricRunsFinished).Inc(1)
}

// routeEvent delivers a correlated event to the runs waiting on its key, as
// a signal named after the event type. Failing to route does not fail this
// run: its own rules still run.
func routeEvent(ctx workflow.Context, in Input) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout:    30 * time.Second,
		ScheduleToCloseTimeout: 10 * time.Minute,
		Summary:                "route " + in.Event.Event.Type + " · key " + in.Correlation,
	})
	var n int
	err := workflow.ExecuteActivity(ctx, activities.RouteEventName, activities.RouteInput{
		Key:     in.Correlation,
		Signal:  in.Event.Event.Type,
		Payload: in.Event.Payload,
		Except:  workflow.GetInfo(ctx).WorkflowExecution.ID,
	}).Get(ctx, &n)
	if err != nil {
		workflow.GetLogger(ctx).Error("route correlated event", "key", in.Correlation, "error", err)
	}
}
