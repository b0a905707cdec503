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
	// settle records a finished step; its final failure (without
	// continue_on_error) is the rule's.
	settle := func(step rules.Step, st rules.StepState, err error) {
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
	}
	// A cancel needs no case of its own: every running step's future
	// resolves with a CanceledError, and none starts after it.
	sel := workflow.NewSelector(ctx)
	running := 0
	type ready struct {
		step  rules.Step
		scope rules.Scope
	}
	startReady := func() {
		var start []ready
		for i, step := range rule.Steps {
			if started[i] || res.Failure != nil || ctx.Err() != nil {
				continue
			}
			ok, skip := needsState(step, res.Steps, byID)
			if !ok {
				continue
			}
			started[i] = true
			if skip {
				res.Steps[step.ID] = rules.StepState{Status: stepSkipped}
				continue
			}
			start = append(start, ready{step, r.scope(res.Steps, nil)})
		}
		if r.inline && running == 0 && len(start) == 1 {
			// It runs alone: here, not in a coroutine of its own.
			st, err := r.step(ctx, rule.Name, start[0].step, start[0].scope)
			settle(start[0].step, st, err)
			return
		}
		for _, s := range start {
			running++
			sel.AddFuture(r.goStep(ctx, rule.Name, s.step, s.scope), func(f workflow.Future) {
				running--
				var st rules.StepState
				err := f.Get(ctx, &st)
				settle(s.step, st, err)
			})
		}
	}
	// Skipping or running a step can make others ready without any future
	// firing.
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
		var err error
		if scope := r.scope(res.Steps, failure); r.inline {
			st, err = r.step(ctx, rule, step, scope)
		} else {
			err = r.goStep(ctx, rule, step, scope).Get(ctx, &st)
		}
		if err != nil {
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

// scope is what a step starting now sees: the event, the states of the
// steps done so far, and the failure an on_failure step handles.
func (r *run) scope(done map[string]rules.StepState, failure *rules.Failure) rules.Scope {
	return rules.Scope{Input: r.in.Event, Steps: copySteps(done), Failure: failure}
}

// goStep runs one step in a coroutine of its own; the future resolves to its
// StepState, or to the error that finally failed it (a CanceledError when
// the run was cancelled).
func (r *run) goStep(ctx workflow.Context, rule string, step rules.Step, scope rules.Scope) workflow.Future {
	f, set := workflow.NewFuture(ctx)
	workflow.Go(ctx, func(ctx workflow.Context) {
		set.Set(r.step(ctx, rule, step, scope))
	})
	return f
}

// step runs one step of any kind, in the calling coroutine.
func (r *run) step(ctx workflow.Context, rule string, step rules.Step, scope rules.Scope) (rules.StepState, error) {
	if step.If != "" {
		// `if` is evaluated on its own, before anything is scheduled: a
		// skipped step shows as an Evaluate, never as a call.
		ok, err := evaluate(ctx, step.If, scope, fmt.Sprintf("if · rule %s · step %s", rule, step.ID))
		if err != nil {
			return rules.StepState{}, err
		}
		if !ok {
			return rules.StepState{Status: stepSkipped}, nil
		}
	}
	switch {
	case step.Call != "":
		return r.call(ctx, rule, step, scope)
	case step.Sleep > 0:
		err := workflow.NewTimerWithOptions(ctx, step.Sleep, workflow.TimerOptions{
			Summary: fmt.Sprintf("sleep %s · rule %s · step %s", step.Sleep, rule, step.ID),
		}).Get(ctx, nil)
		if err != nil {
			return rules.StepState{}, err
		}
		return rules.StepState{Status: stepSucceeded}, nil
	case step.WaitFor != nil && len(step.WaitFor.Events) > 0:
		return r.waitEvent(ctx, rule, step, scope)
	case step.WaitFor != nil:
		return r.waitSignal(ctx, rule, step, scope)
	}
	return rules.StepState{}, temporal.NewNonRetryableApplicationError(fmt.Sprintf("step %s has no call, sleep or wait_for", step.ID), "BadStep", nil)
}

func copySteps(done map[string]rules.StepState) map[string]rules.StepState {
	steps := make(map[string]rules.StepState, len(done))
	for id, s := range done { // the result is the same whatever the order
		steps[id] = s
	}
	return steps
}
