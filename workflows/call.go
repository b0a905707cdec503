package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hookflow/hookflow/activities"
	"github.com/hookflow/hookflow/integrations"
	"github.com/hookflow/hookflow/rules"
)

// heartbeatTimeout bounds how long a CallStep activity on a worker that
// died goes unnoticed: it heartbeats every second while its call is in
// flight, so a surviving worker retries the call within a few seconds,
// whatever the integration's per-attempt timeout.
const heartbeatTimeout = 4 * time.Second

// call runs a call step. The first attempt is a CallStep local activity:
// one history event when it succeeds. A failure it may retry becomes a
// CallStep activity with the integration's retry schedule and the rendered
// request, so the event is never copied into history per step. Steps of a
// rate-limited integration go straight to its task queue; a step whose
// integration is down waits for its health check without using attempts.
func (r *run) call(ctx workflow.Context, rule string, step rules.Step, scope rules.Scope) (rules.StepState, error) {
	policy := r.plan.Policies[step.Integration()]
	retry, timeout := effectiveRetry(policy, step)
	summary := fmt.Sprintf("%s · rule %s · step %s", step.Call, rule, step.ID)
	deadline := workflow.Now(ctx).Add(retry.Expire)
	bare := step
	bare.If, bare.With = "", nil // evaluated already; rendered by the local activity

	lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: timeout,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 1},
		Summary:             summary,
	})
	first := activities.StepInput{
		WorkflowID: r.wfID, Rule: rule, Step: bare,
		Event: scope.Input, Steps: scope.Steps, Failure: scope.Failure,
		Call: policy.TaskQueue == "",
	}
	first.Step.With = step.With
	var res activities.StepOutcome // the recorded request and response are for people
	if err := workflow.ExecuteLocalActivity(lctx, activities.CallStepName, first).Get(ctx, &res); err != nil {
		return rules.StepState{}, err
	}
	attempts := 0
	for res.Pending != nil {
		p := res.Pending
		delay := p.RetryAfter
		if p.Reason == activities.PendingRetry {
			attempts++
			if retry.MaxAttempts > 0 && attempts >= retry.MaxAttempts {
				return rules.StepState{}, giveUp(attempts, p.Message)
			}
			delay = min(max(delay, retry.Initial), retry.MaxInterval)
		}
		if delay > 0 {
			if workflow.Now(ctx).Add(delay).After(deadline) {
				return rules.StepState{}, giveUp(attempts, p.Message)
			}
			if err := workflow.NewTimerWithOptions(ctx, delay, workflow.TimerOptions{Summary: "retry in " + delay.String() + " · " + summary}).Get(ctx, nil); err != nil {
				return rules.StepState{}, err
			}
		}
		left := deadline.Sub(workflow.Now(ctx))
		if left <= 0 {
			return rules.StepState{}, giveUp(attempts, p.Message)
		}
		maxAttempts := 0
		if retry.MaxAttempts > 0 {
			maxAttempts = retry.MaxAttempts - attempts
		}
		actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
			TaskQueue:              policy.TaskQueue,
			StartToCloseTimeout:    timeout,
			ScheduleToCloseTimeout: left,
			HeartbeatTimeout:       heartbeatTimeout,
			RetryPolicy: &temporal.RetryPolicy{
				InitialInterval:    retry.Initial,
				BackoffCoefficient: retry.Backoff,
				MaximumInterval:    retry.MaxInterval,
				MaximumAttempts:    int32(maxAttempts),
			},
			Summary: summary,
		})
		in := activities.StepInput{WorkflowID: r.wfID, Rule: rule, Step: bare, Prepared: true, Input: p.Input, PriorAttempts: attempts}
		res = activities.StepOutcome{}
		if err := workflow.ExecuteActivity(actx, activities.CallStepName, in).Get(ctx, &res); err != nil {
			return rules.StepState{}, err
		}
		// A Pending answer now means the integration's circuit is open: wait
		// for its health check and call again; that costs no attempt.
	}
	return rules.StepState{Status: stepSucceeded, Output: res.Output}, nil
}

// giveUp is the final failure of a step whose retries ran out.
func giveUp(attempts int, msg string) error {
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf("gave up after %d attempt(s): %s", attempts, msg), "GaveUp", nil)
}

// effectiveRetry is the integration's retry policy and attempt timeout,
// overridden field by field by the step's own.
func effectiveRetry(policy activities.Policy, step rules.Step) (integrations.RetryPolicy, time.Duration) {
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
	if timeout <= 0 {
		timeout = integrations.DefaultTimeout
	}
	if retry.Expire <= 0 {
		retry.Expire = integrations.DefaultRetry.Expire
	}
	return retry, timeout
}

// evaluate runs an `if` in a local activity: expr never runs in workflow code.
func evaluate(ctx workflow.Context, expr string, scope rules.Scope, summary string) (bool, error) {
	return evaluateIn(ctx, activities.EvaluateInput{Expr: expr, Scope: scope}, summary)
}

// evaluateMatch runs a wait_for.match against what arrived.
func evaluateMatch(ctx workflow.Context, expr string, scope rules.Scope, signal any, summary string) (bool, error) {
	return evaluateIn(ctx, activities.EvaluateInput{Expr: expr, Scope: scope, Signal: signal, IsMatch: true}, summary)
}

func evaluateIn(ctx workflow.Context, in activities.EvaluateInput, summary string) (bool, error) {
	ctx = workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 3},
		Summary:             summary,
	})
	var ok bool
	err := workflow.ExecuteLocalActivity(ctx, activities.EvaluateName, in).Get(ctx, &ok)
	return ok, err
}
