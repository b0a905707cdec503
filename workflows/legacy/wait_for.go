package legacy

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hookflow/hookflow/activities"
	"github.com/hookflow/hookflow/rules"
)

// waitFor waits for the step's signal. A signal that fails `match` is
// dropped and the wait goes on; the timeout is an outcome
// (steps.<id>.timed_out), not a failure. Signals that arrive before the wait
// starts are buffered by Temporal and count.
func waitFor(ctx workflow.Context, rule string, step rules.Step, scope rules.Scope) (rules.StepState, error) {
	w := step.WaitFor
	ch := workflow.GetSignalChannel(ctx, w.Signal)
	timerCtx, cancelTimer := workflow.WithCancel(ctx)
	defer cancelTimer()
	var timer workflow.Future
	if w.Timeout > 0 {
		timer = workflow.NewTimerWithOptions(timerCtx, w.Timeout, workflow.TimerOptions{
			Summary: fmt.Sprintf("wait_for %s timeout · rule %s · step %s", w.Signal, rule, step.ID),
		})
	}
	for {
		var payload any
		got, timedOut := false, false
		sel := workflow.NewSelector(ctx)
		sel.AddReceive(ch, func(c workflow.ReceiveChannel, _ bool) {
			c.Receive(ctx, &payload)
			got = true
		})
		if timer != nil {
			sel.AddFuture(timer, func(workflow.Future) { timedOut = true })
		}
		sel.Select(ctx)
		if timedOut && !got {
			return rules.StepState{Status: stepSucceeded, TimedOut: true}, nil
		}
		if w.Match != "" {
			ok, err := evaluate(ctx, activities.EvaluateInput{Expr: w.Match, Scope: scope, Signal: payload, IsMatch: true})
			if err != nil {
				return rules.StepState{}, err
			}
			if !ok {
				workflow.GetLogger(ctx).Info("signal did not match; still waiting", "rule", rule, "step", step.ID, "signal", w.Signal)
				continue
			}
		}
		return rules.StepState{Status: stepSucceeded, Output: payload}, nil
	}
}

// evaluate runs an `if` or `match` expression in a local activity: expr never runs in workflow code.
func evaluate(ctx workflow.Context, in activities.EvaluateInput) (bool, error) {
	ctx = workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 3},
	})
	var ok bool
	err := workflow.ExecuteLocalActivity(ctx, activities.EvaluateName, in).Get(ctx, &ok)
	return ok, err
}
