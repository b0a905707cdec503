package activities

import (
	"context"
	"encoding/json"

	"go.temporal.io/sdk/temporal"

	"github.com/hookflow/hookflow/rules"
)

// EvaluateInput is an `if` or a wait_for `match` expression with what it may read.
type EvaluateInput struct {
	Expr    string      `json:"expr"`
	Scope   rules.Scope `json:"scope"`
	Signal  any         `json:"signal,omitempty"`
	IsMatch bool        `json:"is_match,omitempty"`
}

// Evaluate evaluates a step's `if` or a wait_for's `match` (a local
// activity: its result is recorded, so replay never re-evaluates).
func (a *Activities) Evaluate(_ context.Context, in EvaluateInput) (bool, error) {
	p := a.current()
	var ok bool
	var err error
	if in.IsMatch {
		ok, err = p.Rules.EvalMatch(in.Expr, in.Scope, exactNumbers(in.Signal))
	} else {
		ok, err = p.Rules.EvalBool(in.Expr, in.Scope)
	}
	if err != nil {
		return false, temporal.NewNonRetryableApplicationError(err.Error(), "ExprError", nil)
	}
	return ok, nil
}

// exactNumbers re-decodes a signal payload so integers are integers, as in
// payloads and step outputs (JSON through history makes them floats).
func exactNumbers(v any) any {
	data, err := json.Marshal(v)
	if err != nil {
		return v
	}
	out, err := rules.DecodeJSON(data)
	if err != nil {
		return v
	}
	return out
}
