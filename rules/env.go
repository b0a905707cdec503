package rules

import (
	"encoding/json"
	"time"
)

// Event is the envelope of one received webhook, as rules see it.
type Event struct {
	ID         string    `json:"id" expr:"id"`
	Type       string    `json:"type" expr:"type"`
	Trigger    string    `json:"trigger" expr:"trigger"`
	ReceivedAt time.Time `json:"received_at" expr:"received_at"`
}

// Input is what matching and rendering see of one event.
type Input struct {
	Event   Event             `json:"event"`
	Headers map[string]string `json:"headers"` // lower-cased keys
	Payload any               `json:"payload"` // decoded JSON: map[string]any, []any, float64, string, bool, nil
}

// StepState is what a template sees of a step that already ran.
type StepState struct {
	Status string `json:"status" expr:"status"` // "succeeded", "failed", "skipped"
	Output any    `json:"output" expr:"output"`
	// TimedOut is true when a wait_for step ended by its timeout.
	TimedOut bool `json:"timed_out,omitempty" expr:"timed_out"`
}

// Failure describes the step that finally failed, for on_failure steps.
type Failure struct {
	Step    string `json:"step" expr:"step"`
	Message string `json:"message" expr:"message"`
}

// Scope is everything a template is rendered against.
type Scope struct {
	Input
	Steps   map[string]StepState `json:"steps"`
	Failure *Failure             `json:"failure,omitempty"`
}

// exprEnv is the typed environment every expression is compiled against, so
// `event.nope` or a non-bool `when` is a load error rather than a surprise.
type exprEnv struct {
	Payload any                  `expr:"payload"`
	Headers map[string]string    `expr:"headers"`
	Event   Event                `expr:"event"`
	Steps   map[string]StepState `expr:"steps"`
	Vars    map[string]any       `expr:"vars"`
	Failure Failure              `expr:"failure"`
	// Budget is this evaluation's (budget.go), passed by the compiler to
	// the functions that spend it; run sets it from limits.
	Budget *budget `expr:"_hookflow_budget"`
	limits limits
	budget budget
}

// matchEnv is exprEnv plus `signal`, for wait_for.match only: a `signal`
// anywhere else is a load error.
type matchEnv struct {
	Payload any                  `expr:"payload"`
	Headers map[string]string    `expr:"headers"`
	Event   Event                `expr:"event"`
	Steps   map[string]StepState `expr:"steps"`
	Vars    map[string]any       `expr:"vars"`
	Failure Failure              `expr:"failure"`
	Signal  any                  `expr:"signal"`
	Budget  *budget              `expr:"_hookflow_budget"`
	limits  limits
	budget  budget
}

func (e *Engine) envFor(in Input, steps map[string]StepState, failure *Failure) exprEnv {
	env := exprEnv{
		Payload: in.Payload,
		Headers: in.Headers,
		Event:   in.Event,
		Steps:   steps,
		Vars:    e.vars,
		limits:  e.limits,
	}
	if failure != nil {
		env.Failure = *failure
	}
	return env
}

// UnmarshalJSON decodes a Scope. Without it, Input.UnmarshalJSON (json.go)
// would be promoted to Scope and silently drop steps and failure.
func (s *Scope) UnmarshalJSON(data []byte) error {
	if err := s.Input.UnmarshalJSON(data); err != nil {
		return err
	}
	var rest struct {
		Steps   map[string]StepState `json:"steps"`
		Failure *Failure             `json:"failure"`
	}
	if err := json.Unmarshal(data, &rest); err != nil {
		return err
	}
	s.Steps, s.Failure = rest.Steps, rest.Failure
	return nil
}
