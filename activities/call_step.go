package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/hookflow/hookflow/integrations"
	"github.com/hookflow/hookflow/rules"
)

// StepInput is one call step of one rule.
//
// Run as a local activity (the workflow's first try), it carries the scope
// the step's templates read: CallStep evaluates `if`, renders `with` and,
// when Call is set, makes the first attempt. Run as a regular activity it
// carries the rendered Input (Prepared) and only calls: the event is not
// copied into history once per step.
type StepInput struct {
	WorkflowID string     `json:"workflow_id"`
	Rule       string     `json:"rule"`
	Step       rules.Step `json:"step"`

	Event   rules.Input                `json:"event,omitzero"`
	Steps   map[string]rules.StepState `json:"steps,omitempty"`
	Failure *rules.Failure             `json:"failure,omitempty"`
	// Call makes the local activity attempt the call; without it the local
	// activity only prepares (rate-limited integrations call on their own
	// task queue).
	Call bool `json:"call,omitempty"`

	// Prepared means Input is the rendered `with` and `if` held.
	Prepared bool           `json:"prepared,omitempty"`
	Input    map[string]any `json:"input,omitempty"`
	// PriorAttempts were made before this activity (by the local activity).
	PriorAttempts int `json:"prior_attempts,omitempty"`
}

// StepResult records what was sent and what came back, so the history alone
// answers "what did we send and what did they say". Skipped means the step's
// `if` was false and nothing was sent. Pending means the call is not done:
// the workflow goes on with a regular activity (after RetryAfter).
type StepResult struct {
	integrations.Result
	Skipped bool     `json:"skipped,omitempty"`
	Pending *Pending `json:"pending,omitempty"`
}

// Pending is a call the workflow must still make, with its rendered input.
type Pending struct {
	Input map[string]any `json:"input,omitempty"`
	// Reason is PendingRetry (the attempt failed and may be retried),
	// PendingCircuit (the integration is down: wait, attempts are not
	// used up) or PendingPrepared (nothing was tried).
	Reason     string        `json:"reason"`
	Message    string        `json:"message,omitempty"`
	RetryAfter time.Duration `json:"retry_after,omitempty"`
}

// Reasons a call is Pending.
const (
	PendingRetry    = "retry"
	PendingCircuit  = "circuit"
	PendingPrepared = "prepared"
)

// IdempotencyKey is the same on every attempt and on replay. Rule names are
// unique in a project and step ids unique in a rule, so two rules matching one
// event never share a key.
func IdempotencyKey(workflowID, rule, step string) string {
	return workflowID + "/" + rule + "/" + step
}

// heartbeatEvery paces heartbeats while a call is in flight, so a worker
// that dies mid-call is noticed within the step's heartbeat timeout.
const heartbeatEvery = time.Second

// CallStep performs one attempt of a call step. A failure the integration
// classifies as permanent is a non-retryable error; a retryable one is an
// error whose Retry-After sets the next delay, or, in a local activity, a
// Pending result the workflow retries with a regular activity.
func (a *Activities) CallStep(ctx context.Context, in StepInput) (StepResult, error) {
	p := a.current()
	local := activity.GetInfo(ctx).IsLocalActivity
	input := in.Input
	if !in.Prepared {
		var skip bool
		var err error
		input, skip, err = prepare(p, in)
		if err != nil {
			return StepResult{}, err
		}
		if skip {
			a.record(ctx, in, errSkipped, 0)
			return StepResult{Skipped: true}, nil
		}
		if local && !in.Call {
			return StepResult{Pending: &Pending{Input: input, Reason: PendingPrepared}}, nil
		}
	}
	if msg, delay, open := a.circuitOpen(ctx, in.Step.Integration()); open {
		if local || in.Prepared {
			return StepResult{Pending: &Pending{Input: input, Reason: PendingCircuit, Message: msg, RetryAfter: delay}}, nil
		}
		// Runs recorded before circuits were waited out in the workflow.
		return StepResult{}, temporal.NewApplicationErrorWithOptions(msg, "CircuitOpen", temporal.ApplicationErrorOptions{NextRetryDelay: delay})
	}
	call := integrations.Call{
		Integration:    in.Step.Integration(),
		Operation:      in.Step.Operation(),
		Input:          input,
		IdempotencyKey: IdempotencyKey(in.WorkflowID, in.Rule, in.Step.ID),
	}
	start := time.Now()
	var res integrations.Result
	var err error
	if local {
		res, err = p.Integrations.Call(ctx, call)
	} else {
		res, err = callHeartbeating(ctx, p.Integrations, call)
	}
	a.record(ctx, in, err, time.Since(start))
	if err == nil {
		return StepResult{Result: res}, nil
	}
	var callErr *integrations.Error
	if local && errors.As(err, &callErr) && callErr.Retryable {
		return StepResult{Result: res, Pending: &Pending{Input: input, Reason: PendingRetry, Message: callErr.Message, RetryAfter: callErr.RetryAfter}}, nil
	}
	return StepResult{}, callError(err, res)
}

// prepare evaluates the step's `if` and renders its `with`. An expression
// error is permanent: retrying cannot fix the rule.
func prepare(p *Project, in StepInput) (input map[string]any, skip bool, err error) {
	scope := rules.Scope{Input: in.Event, Steps: in.Steps, Failure: in.Failure}
	if in.Step.If != "" {
		ok, err := p.Rules.EvalBool(in.Step.If, scope)
		if err != nil {
			return nil, false, temporal.NewNonRetryableApplicationError(
				fmt.Sprintf("rule %s step %s: if: %v", in.Rule, in.Step.ID, err), "ExprError", nil)
		}
		if !ok {
			return nil, true, nil
		}
	}
	with, err := p.Rules.Render(in.Step.With, scope)
	if err != nil {
		return nil, false, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("rule %s step %s: %v", in.Rule, in.Step.ID, err), "RenderError", nil)
	}
	input, ok := with.(map[string]any)
	if with != nil && !ok {
		return nil, false, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("rule %s step %s: with must be a mapping, got %T", in.Rule, in.Step.ID, with), "RenderError", nil)
	}
	return input, false, nil
}

// callHeartbeating makes the call while heartbeating, so the activity's
// heartbeat timeout, not its attempt timeout, bounds how long a dead
// worker's call goes unnoticed, and a cancelled run aborts the call.
func callHeartbeating(ctx context.Context, set *integrations.Set, call integrations.Call) (integrations.Result, error) {
	done := make(chan struct{})
	defer close(done)
	go func() {
		t := time.NewTicker(heartbeatEvery)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				activity.RecordHeartbeat(ctx)
			}
		}
	}()
	return set.Call(ctx, call)
}

func errorType(e *integrations.Error) string {
	if e.Status == 0 {
		return "NetworkError"
	}
	return fmt.Sprintf("HTTP%d", e.Status)
}

var errSkipped = errors.New("skipped")

func (a *Activities) record(ctx context.Context, in StepInput, err error, d time.Duration) {
	if a.deps.Metrics == nil {
		return
	}
	outcome := "success"
	var callErr *integrations.Error
	switch {
	case errors.Is(err, errSkipped):
		outcome = "skipped"
	case errors.As(err, &callErr) && callErr.Retryable:
		outcome = "retryable"
	case err != nil:
		outcome = "permanent"
	}
	attempt := in.PriorAttempts + int(activity.GetInfo(ctx).Attempt)
	a.deps.Metrics.StepCall(in.Step.Integration(), in.Step.Operation(), outcome, attempt, d)
}
