package workflows

import (
	"errors"
	"fmt"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hookflow/hookflow/activities"
	"github.com/hookflow/hookflow/rules"
)

// runRule runs one rule's steps: each step starts once every step it needs
// has succeeded; steps without needs start together. After the first final
// failure no new step starts, running ones finish, and on_failure runs.
func runRule(ctx workflow.Context, in Input, plan activities.Plan, rule rules.PlannedRule) RuleResult {
	res := RuleResult{Name: rule.Name, Status: StatusCompleted, Steps: map[string]rules.StepState{}}
	started := make([]bool, len(rule.Steps))
	sel := workflow.NewSelector(ctx)
	running := 0

	startReady := func() {
		for i, step := range rule.Steps {
			if started[i] || res.Failure != nil || !needsMet(step, res.Steps) {
				continue
			}
			started[i] = true
			running++
			f := callStep(ctx, in, plan, rule.Name, step, res.Steps, nil)
			sel.AddFuture(f, func(f workflow.Future) {
				running--
				var out activities.StepResult
				if err := f.Get(ctx, &out); err != nil {
					res.Steps[step.ID] = rules.StepState{Status: "failed"}
					if res.Failure == nil {
						res.Failure = &rules.Failure{Step: step.ID, Message: failureMessage(err)}
					}
					return
				}
				res.Steps[step.ID] = rules.StepState{Status: "succeeded", Output: out.Output}
			})
		}
	}
	startReady()
	for running > 0 {
		sel.Select(ctx)
		startReady()
	}
	if res.Failure == nil {
		return res
	}

	res.Status = StatusFailed
	for _, step := range rule.OnFailure {
		var out activities.StepResult
		err := callStep(ctx, in, plan, rule.Name, step, res.Steps, res.Failure).Get(ctx, &out)
		if err != nil {
			workflow.GetLogger(ctx).Error("on_failure step failed", "rule", rule.Name, "step", step.ID, "error", err)
			res.Steps[step.ID] = rules.StepState{Status: "failed"}
			continue
		}
		res.Steps[step.ID] = rules.StepState{Status: "succeeded", Output: out.Output}
	}
	return res
}

func needsMet(step rules.Step, done map[string]rules.StepState) bool {
	for _, n := range step.Needs {
		if done[n].Status != "succeeded" {
			return false
		}
	}
	return true
}

// callStep schedules one CallStep activity with its integration's retry policy.
func callStep(ctx workflow.Context, in Input, plan activities.Plan, rule string, step rules.Step, done map[string]rules.StepState, failure *rules.Failure) workflow.Future {
	policy := plan.Policies[step.Integration()]
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout:    policy.Timeout,
		ScheduleToCloseTimeout: policy.Retry.Expire,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    policy.Retry.Initial,
			BackoffCoefficient: policy.Retry.Backoff,
			MaximumInterval:    policy.Retry.MaxInterval,
			MaximumAttempts:    int32(policy.Retry.MaxAttempts),
		},
		Summary: fmt.Sprintf("%s · rule %s · step %s", step.Call, rule, step.ID),
	})
	steps := make(map[string]rules.StepState, len(done))
	for id, s := range done { // copy: the activity input is serialized now, not later
		steps[id] = s
	}
	return workflow.ExecuteActivity(ctx, activities.CallStepName, activities.StepInput{
		WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID,
		Rule:       rule,
		Step:       step,
		Event:      in.Event,
		Steps:      steps,
		Failure:    failure,
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
