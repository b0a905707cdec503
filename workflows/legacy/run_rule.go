package legacy

import (
	"errors"
	"fmt"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hookflow/hookflow/activities"
	"github.com/hookflow/hookflow/rules"
)

// Step statuses, as templates see them in steps.<id>.status.
const (
	stepSucceeded = "succeeded"
	stepFailed    = "failed"
	stepSkipped   = "skipped"
)

// runRule runs one rule's steps: each step starts once every step it needs
// is done; steps without needs start together. After the first final failure
// (of a step without continue_on_error) no new step starts, running ones
// finish, and on_failure runs.
//
// done holds states from a replayed run: steps that succeeded there are not
// called again.
func runRule(ctx workflow.Context, in Input, plan activities.Plan, rule rules.PlannedRule, done map[string]rules.StepState) RuleResult {
	res := RuleResult{Name: rule.Name, Status: StatusCompleted, Steps: map[string]rules.StepState{}}
	byID := map[string]rules.Step{}
	started := make([]bool, len(rule.Steps))
	for i, s := range rule.Steps {
		byID[s.ID] = s
		if st, ok := done[s.ID]; ok && st.Status == stepSucceeded {
			res.Steps[s.ID] = st
			started[i] = true
		}
	}
	sel := workflow.NewSelector(ctx)
	running := 0

	startReady := func() {
		for i, step := range rule.Steps {
			if started[i] || res.Failure != nil {
				continue
			}
			ready, skip := needsState(step, res.Steps, byID)
			if !ready {
				continue
			}
			started[i] = true
			if skip {
				res.Steps[step.ID] = rules.StepState{Status: stepSkipped}
				continue
			}
			running++
			f := runStep(ctx, in, plan, rule.Name, step, res.Steps, nil)
			sel.AddFuture(f, func(f workflow.Future) {
				running--
				var st rules.StepState
				if err := f.Get(ctx, &st); err != nil {
					res.Steps[step.ID] = rules.StepState{Status: stepFailed}
					if !step.ContinueOnError && res.Failure == nil {
						res.Failure = &rules.Failure{Step: step.ID, Message: failureMessage(err)}
					}
					return
				}
				res.Steps[step.ID] = st
			})
		}
	}
	// Skipping a step can make others ready without any future firing.
	for {
		before := len(res.Steps)
		startReady()
		if running > 0 {
			sel.Select(ctx)
			continue
		}
		if len(res.Steps) == before {
			break
		}
	}
	if res.Failure == nil {
		return res
	}

	res.Status = StatusFailed
	for _, step := range rule.OnFailure {
		var st rules.StepState
		if err := runStep(ctx, in, plan, rule.Name, step, res.Steps, res.Failure).Get(ctx, &st); err != nil {
			workflow.GetLogger(ctx).Error("on_failure step failed", "rule", rule.Name, "step", step.ID, "error", err)
			res.Steps[step.ID] = rules.StepState{Status: stepFailed}
			continue
		}
		res.Steps[step.ID] = st
	}
	return res
}

// needsState says whether every step that step needs is done, and whether
// step must be skipped because one of them was skipped or failed (without
// continue_on_error).
func needsState(step rules.Step, done map[string]rules.StepState, byID map[string]rules.Step) (ready, skip bool) {
	for _, n := range step.Needs {
		st, ok := done[n]
		if !ok {
			return false, false
		}
		switch {
		case st.Status == stepSkipped:
			skip = true
		case st.Status == stepFailed && !byID[n].ContinueOnError:
			skip = true
		}
	}
	return true, skip
}

// runStep runs one step of any kind; the future resolves to its StepState,
// or to the error that finally failed it.
func runStep(ctx workflow.Context, in Input, plan activities.Plan, rule string, step rules.Step, done map[string]rules.StepState, failure *rules.Failure) workflow.Future {
	scope := rules.Scope{Input: in.Event, Steps: copySteps(done), Failure: failure}
	f, set := workflow.NewFuture(ctx)
	workflow.Go(ctx, func(ctx workflow.Context) {
		if step.Call != "" {
			// CallStep evaluates `if` itself: one activity instead of two.
			var out activities.StepResult
			err := callStep(ctx, in, plan, rule, step, scope).Get(ctx, &out)
			switch {
			case err != nil:
				set.Set(nil, err)
			case out.Skipped:
				set.Set(rules.StepState{Status: stepSkipped}, nil)
			default:
				set.Set(rules.StepState{Status: stepSucceeded, Output: out.Output}, nil)
			}
			return
		}
		if step.If != "" {
			ok, err := evaluate(ctx, activities.EvaluateInput{Expr: step.If, Scope: scope})
			if err != nil {
				set.Set(nil, err)
				return
			}
			if !ok {
				set.Set(rules.StepState{Status: stepSkipped}, nil)
				return
			}
		}
		switch {
		case step.Sleep > 0:
			err := workflow.NewTimerWithOptions(ctx, step.Sleep, workflow.TimerOptions{
				Summary: fmt.Sprintf("sleep %s · rule %s · step %s", step.Sleep, rule, step.ID),
			}).Get(ctx, nil)
			set.Set(rules.StepState{Status: stepSucceeded}, err)
		case step.WaitFor != nil:
			st, err := waitFor(ctx, rule, step, scope)
			set.Set(st, err)
		default:
			set.Set(nil, temporal.NewNonRetryableApplicationError(fmt.Sprintf("step %s has no call, sleep or wait_for", step.ID), "BadStep", nil))
		}
	})
	return f
}

func copySteps(done map[string]rules.StepState) map[string]rules.StepState {
	steps := make(map[string]rules.StepState, len(done))
	for id, s := range done { // the result is the same whatever the order
		steps[id] = s
	}
	return steps
}

// callStep schedules one CallStep activity with its integration's retry
// policy, overridden by the step's own retry and timeout.
func callStep(ctx workflow.Context, in Input, plan activities.Plan, rule string, step rules.Step, scope rules.Scope) workflow.Future {
	policy := plan.Policies[step.Integration()]
	retry, timeout := policy.Retry, policy.Timeout
	if r := step.Retry; r != nil {
		if r.Initial > 0 {
			retry.Initial = r.Initial
		}
		if r.Backoff >= 1 {
			retry.Backoff = r.Backoff
		}
		if r.MaxInterval > 0 {
			retry.MaxInterval = r.MaxInterval
		}
		if r.MaxAttempts > 0 {
			retry.MaxAttempts = r.MaxAttempts
		}
		if r.Expire > 0 {
			retry.Expire = r.Expire
		}
	}
	if step.Timeout > 0 {
		timeout = step.Timeout
	}
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		TaskQueue:              policy.TaskQueue,
		StartToCloseTimeout:    timeout,
		ScheduleToCloseTimeout: retry.Expire,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    retry.Initial,
			BackoffCoefficient: retry.Backoff,
			MaximumInterval:    retry.MaxInterval,
			MaximumAttempts:    int32(retry.MaxAttempts),
		},
		Summary: fmt.Sprintf("%s · rule %s · step %s", step.Call, rule, step.ID),
	})
	return workflow.ExecuteActivity(ctx, activities.CallStepName, activities.StepInput{
		WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID,
		Rule:       rule,
		Step:       step,
		Event:      in.Event,
		Steps:      scope.Steps,
		Failure:    scope.Failure,
	})
}

// failureMessage is what the integration said, without the SDK's wrapping.
func failureMessage(err error) string {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return appErr.Message()
	}
	var timeoutErr *temporal.TimeoutError
	if errors.As(err, &timeoutErr) {
		if errors.As(timeoutErr.Unwrap(), &appErr) {
			return "gave up retrying: " + appErr.Message()
		}
		return "timed out (" + timeoutErr.TimeoutType().String() + ")"
	}
	return err.Error()
}
