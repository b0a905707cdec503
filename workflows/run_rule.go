package workflows

import (
	"fmt"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hookflow/hookflow/rules"
)

// Step statuses, as templates see them in steps.<id>.status.
const (
	stepSucceeded = "succeeded"
	stepFailed    = "failed"
	stepSkipped   = "skipped"
	stepCanceled  = "canceled"
)

// runRule runs one rule's steps: each step starts once every step it needs
// is done; steps without needs start together. After the first final failure
// (of a step without continue_on_error) no new step starts, running ones
// finish, and on_failure runs. When the run is cancelled no new step starts,
// running ones are cancelled, and on_cancel runs.
//
// done holds states from a replayed run: steps that succeeded there are not
// called again.
func (r *run) runRule(ctx workflow.Context, rule rules.PlannedRule, done map[string]rules.StepState) RuleResult {
	res := RuleResult{Name: rule.Name, Status: StatusCompleted, Steps: map[string]rules.StepState{}}
	if rule.Error != "" {
		// The rule's `when` failed for this event: it fails alone.
		res.Failure = &rules.Failure{Step: "when", Message: rule.Error}
		workflow.GetLogger(ctx).Error("rule failed to match", "rule", rule.Name, "error", rule.Error)
	}
	byID := map[string]rules.Step{}
	started := make([]bool, len(rule.Steps))
	for i, s := range rule.Steps {
		byID[s.ID] = s
		if st, ok := done[s.ID]; ok && st.Status == stepSucceeded {
			res.Steps[s.ID] = st
			started[i] = true
		}
	}
	// A cancel needs no case of its own: every running step's future
	// resolves with a CanceledError, and none starts after it.
	sel := workflow.NewSelector(ctx)
	running := 0
	startReady := func() {
		for i, step := range rule.Steps {
			if started[i] || res.Failure != nil || ctx.Err() != nil {
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
			f := r.runStep(ctx, rule.Name, step, res.Steps, nil)
			sel.AddFuture(f, func(f workflow.Future) {
				running--
				var st rules.StepState
				err := f.Get(ctx, &st)
				switch {
				case err != nil && temporal.IsCanceledError(err):
					res.Steps[step.ID] = rules.StepState{Status: stepCanceled}
				case err != nil:
					res.Steps[step.ID] = rules.StepState{Status: stepFailed}
					workflow.GetLogger(ctx).Warn("step failed", "rule", rule.Name, "step", step.ID, "error", failureMessage(err), "continue_on_error", step.ContinueOnError)
					if !step.ContinueOnError && res.Failure == nil {
						res.Failure = &rules.Failure{Step: step.ID, Message: failureMessage(err)}
					}
				default:
					res.Steps[step.ID] = st
				}
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
	switch {
	case ctx.Err() != nil:
		res.Status = StatusCanceled
		r.runHandlers(disconnected(ctx), rule.Name, rule.OnCancel, &res, nil)
	case res.Failure != nil:
		res.Status = StatusFailed
		r.runHandlers(ctx, rule.Name, rule.OnFailure, &res, res.Failure)
	}
	return res
}

// runHandlers runs on_failure or on_cancel steps one after another; their
// own failures are logged and recorded, and do not change the rule's status.
func (r *run) runHandlers(ctx workflow.Context, rule string, steps []rules.Step, res *RuleResult, failure *rules.Failure) {
	for _, step := range steps {
		var st rules.StepState
		if err := r.runStep(ctx, rule, step, res.Steps, failure).Get(ctx, &st); err != nil {
			workflow.GetLogger(ctx).Error("handler step failed", "rule", rule, "step", step.ID, "error", err)
			res.Steps[step.ID] = rules.StepState{Status: stepFailed}
			continue
		}
		res.Steps[step.ID] = st
	}
}

// needsState says whether every step that step needs is done, and whether
// step must be skipped because one of them was skipped, cancelled or failed
// (without continue_on_error).
func needsState(step rules.Step, done map[string]rules.StepState, byID map[string]rules.Step) (ready, skip bool) {
	for _, n := range step.Needs {
		st, ok := done[n]
		if !ok {
			return false, false
		}
		switch {
		case st.Status == stepSkipped, st.Status == stepCanceled:
			skip = true
		case st.Status == stepFailed && !byID[n].ContinueOnError:
			skip = true
		}
	}
	return true, skip
}

// runStep runs one step of any kind; the future resolves to its StepState,
// or to the error that finally failed it (a CanceledError when the run was
// cancelled).
func (r *run) runStep(ctx workflow.Context, rule string, step rules.Step, done map[string]rules.StepState, failure *rules.Failure) workflow.Future {
	scope := rules.Scope{Input: r.in.Event, Steps: copySteps(done), Failure: failure}
	f, set := workflow.NewFuture(ctx)
	workflow.Go(ctx, func(ctx workflow.Context) {
		if step.If != "" {
			// `if` is evaluated on its own, before anything is scheduled: a
			// skipped step shows as an Evaluate, never as a call.
			ok, err := evaluate(ctx, step.If, scope, fmt.Sprintf("if · rule %s · step %s", rule, step.ID))
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
		case step.Call != "":
			st, err := r.call(ctx, rule, step, scope)
			set.Set(st, err)
		case step.Sleep > 0:
			err := workflow.NewTimerWithOptions(ctx, step.Sleep, workflow.TimerOptions{
				Summary: fmt.Sprintf("sleep %s · rule %s · step %s", step.Sleep, rule, step.ID),
			}).Get(ctx, nil)
			if err != nil {
				set.Set(nil, err)
				return
			}
			set.Set(rules.StepState{Status: stepSucceeded}, nil)
		case step.WaitFor != nil && len(step.WaitFor.Events) > 0:
			st, err := r.waitEvent(ctx, rule, step, scope)
			set.Set(st, err)
		case step.WaitFor != nil:
			st, err := r.waitSignal(ctx, rule, step, scope)
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
