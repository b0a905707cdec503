package activities

import (
	"encoding/json"

	"github.com/hookflow/hookflow/rules"
)

// Workflow code holds step outputs and rendered inputs between activities.
// The SDK decodes them from history into float64s, which would corrupt ids
// beyond 2^53 (Shopify's, Stripe's) on their way to the next step; these
// decoders keep integers exact.

// UnmarshalJSON decodes a StepResult with its output exact.
func (r *StepResult) UnmarshalJSON(data []byte) error {
	type plain StepResult
	var raw struct {
		plain
		Output json.RawMessage `json:"output"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	*r = StepResult(raw.plain)
	out, err := exact(raw.Output)
	r.Output = out
	return err
}

// StepOutcome is what workflow code reads of a CallStep's StepResult: the
// step's output and, when the call must still be made, Pending. The
// recorded request and response stay in history for people to read; the
// workflow never decodes them.
type StepOutcome struct {
	Output  any      `json:"output,omitempty"`
	Pending *Pending `json:"pending,omitempty"`
}

// UnmarshalJSON decodes a StepOutcome with its output exact.
func (o *StepOutcome) UnmarshalJSON(data []byte) error {
	var raw struct {
		Output  json.RawMessage `json:"output"`
		Pending *Pending        `json:"pending"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	out, err := exact(raw.Output)
	*o = StepOutcome{Output: out, Pending: raw.Pending}
	return err
}

// UnmarshalJSON decodes a Pending call with its input exact.
func (p *Pending) UnmarshalJSON(data []byte) error {
	type plain Pending
	var raw struct {
		plain
		Input json.RawMessage `json:"input"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	*p = Pending(raw.plain)
	in, err := exact(raw.Input)
	if m, ok := in.(map[string]any); ok {
		p.Input = m
	}
	return err
}

// UnmarshalJSON decodes a StepInput with its rendered input exact.
func (s *StepInput) UnmarshalJSON(data []byte) error {
	type plain StepInput
	var raw struct {
		plain
		Input json.RawMessage `json:"input"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	*s = StepInput(raw.plain)
	in, err := exact(raw.Input)
	if m, ok := in.(map[string]any); ok {
		s.Input = m
	}
	return err
}

func exact(raw json.RawMessage) (any, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	return rules.DecodeJSON(raw)
}
