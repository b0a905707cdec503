package workflows

import (
	"time"

	"github.com/hookflow/hookflow/activities"
	"github.com/hookflow/hookflow/rules"
	"github.com/hookflow/hookflow/workflows/legacy"
)

// Registered names: public API, recorded in every history.
const (
	TaskQueue = activities.TaskQueue
	// WorkflowName is the run of one event.
	WorkflowName = "HandleEventV2"
	// LegacyWorkflowName is the run of one event started before the run
	// model v2; workers still run it for runs in flight.
	LegacyWorkflowName = legacy.WorkflowName
	// WaitingQuery answers what a run waits for ([]Waiting).
	WaitingQuery = "hookflow.waiting"
)

// WorkflowTaskTimeout bounds a workflow task, and so how long the calls a
// dead worker was making in local activities go unnoticed before another
// worker replays the run and makes them again (same Idempotency-Key).
// Temporal's default is 10 s; a task that runs local activities longer
// than 80% of it is kept alive by the SDK, so a slow call is not cut.
const WorkflowTaskTimeout = 4 * time.Second

// WorkflowNames are both run types, for Visibility queries over every run.
var WorkflowNames = []string{WorkflowName, LegacyWorkflowName}

// Input is the workflow's input: the verified, validated event.
type Input struct {
	Event rules.Input `json:"event"`
	// Replay is set when an operator re-runs a failed run (hookflow replay).
	Replay *Replay `json:"replay,omitempty"`
	// Correlation is the trigger's correlate key: the run is findable by it
	// (HookCorrelationKey), publishes its event to the trigger's mailbox for
	// that key, and waits on it in wait_for.event steps.
	Correlation string `json:"correlation,omitempty"`
	// Plan is the front door's match of the event, with the search
	// attributes it already set at start; nil makes the run match itself.
	Plan *activities.Plan `json:"plan,omitempty"`
}

// Replay re-runs a failed run under the same workflow id, so every step keeps
// its idempotency key. Steps that succeeded before are not called again:
// their recorded states are reused.
type Replay struct {
	FromRunID string `json:"from_run_id"`
	// Plan, when set, is the failed run's plan (--rules original); when nil
	// the current rules are matched again (--rules current).
	Plan *activities.Plan `json:"plan,omitempty"`
	// Done is rule → step → state from the failed run; only succeeded states are reused.
	Done map[string]map[string]rules.StepState `json:"done,omitempty"`
}

// Result is what a run returns, visible in the Web UI. Outputs are kept
// only when the run failed (a replay reuses them); a completed run's
// outputs are in its steps' history events already.
type Result struct {
	Status  string       `json:"status"`
	Version string       `json:"rules_version,omitempty"`
	Rules   []RuleResult `json:"rules,omitempty"`
	// Plan is kept on failure, so a replay can follow the original rules.
	Plan *activities.Plan `json:"plan,omitempty"`
}

// RuleResult is the outcome of one matched rule.
type RuleResult struct {
	Name    string                     `json:"name"`
	Status  string                     `json:"status"`
	Steps   map[string]rules.StepState `json:"steps"`
	Failure *rules.Failure             `json:"failure,omitempty"`
}

// Waiting is one step waiting for a signal or a correlated event.
type Waiting struct {
	Rule     string    `json:"rule"`
	Step     string    `json:"step"`
	Signal   string    `json:"signal,omitempty"`
	Events   []string  `json:"events,omitempty"`
	Triggers []string  `json:"triggers,omitempty"`
	Since    time.Time `json:"since"`
	Until    time.Time `json:"until,omitzero"`
}
