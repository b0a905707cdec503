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

// StepInput is one step of one rule, with what its templates may read.
type StepInput struct {
	WorkflowID string                     `json:"workflow_id"`
	Rule       string                     `json:"rule"`
	Step       rules.Step                 `json:"step"`
	Event      rules.Input                `json:"event"`
	Steps      map[string]rules.StepState `json:"steps,omitempty"`
	Failure    *rules.Failure             `json:"failure,omitempty"`
}

// StepResult records what was sent and what came back, so the history alone
// answers "what did we send and what did they say". Skipped means the step's
// `if` was false and nothing was sent.
type StepResult struct {
	integrations.Result
	Skipped bool `json:"skipped,omitempty"`
}

// IdempotencyKey is the same on every attempt and on replay. Rule names are
// unique in a project and step ids unique in a rule, so two rules matching one
// event never share a key.
func IdempotencyKey(workflowID, rule, step string) string {
	return workflowID + "/" + rule + "/" + step
}

// CallStep renders the step's `with` and performs one attempt of its call.
// A failure the integration classifies as permanent is non-retryable; a
// Retry-After from the receiver sets the next delay.
func (a *Activities) CallStep(ctx context.Context, in StepInput) (StepResult, error) {
	p := a.current()
	scope := rules.Scope{Input: in.Event, Steps: in.Steps, Failure: in.Failure}
	if in.Step.If != "" {
		ok, err := p.Rules.EvalBool(in.Step.If, scope)
		if err != nil {
			return StepResult{}, temporal.NewNonRetryableApplicationError(
				fmt.Sprintf("rule %s step %s: if: %v", in.Rule, in.Step.ID, err), "ExprError", nil)
		}
		if !ok {
			a.record(ctx, in.Step, errSkipped, 0)
			return StepResult{Skipped: true}, nil
		}
	}
	with, err := p.Rules.Render(in.Step.With, scope)
	if err != nil {
		return StepResult{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("rule %s step %s: %v", in.Rule, in.Step.ID, err), "RenderError", nil)
	}
	input, ok := with.(map[string]any)
	if with != nil && !ok {
		return StepResult{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("rule %s step %s: with must be a mapping, got %T", in.Rule, in.Step.ID, with), "RenderError", nil)
	}
	if err := a.circuitOpen(ctx, in.Step.Integration()); err != nil {
		return StepResult{}, err
	}
	start := time.Now()
	res, err := p.Integrations.Call(ctx, integrations.Call{
		Integration:    in.Step.Integration(),
		Operation:      in.Step.Operation(),
		Input:          input,
		IdempotencyKey: IdempotencyKey(in.WorkflowID, in.Rule, in.Step.ID),
	})
	a.record(ctx, in.Step, err, time.Since(start))
	if err == nil {
		return StepResult{Result: res}, nil
	}
	var callErr *integrations.Error
	if errors.As(err, &callErr) {
		return StepResult{}, temporal.NewApplicationErrorWithOptions(callErr.Message, errorType(callErr), temporal.ApplicationErrorOptions{
			NonRetryable:   !callErr.Retryable,
			NextRetryDelay: callErr.RetryAfter,
			Details:        []any{res},
		})
	}
	return StepResult{}, temporal.NewNonRetryableApplicationError(err.Error(), "CallError", nil, res)
}

func errorType(e *integrations.Error) string {
	if e.Status == 0 {
		return "NetworkError"
	}
	return fmt.Sprintf("HTTP%d", e.Status)
}

var errSkipped = errors.New("skipped")

func (a *Activities) record(ctx context.Context, step rules.Step, err error, d time.Duration) {
	if a.metrics == nil {
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
	a.metrics.StepCall(step.Integration(), step.Operation(), outcome, int(activity.GetInfo(ctx).Attempt), d)
}
