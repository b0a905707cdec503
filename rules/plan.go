package rules

import (
	"strings"
	"time"
)

// Plan is the result of matching one event: which rules run, with their steps
// exactly as written, so a workflow can record it and render later.
type Plan struct {
	Version string        `json:"version"`
	Rules   []PlannedRule `json:"rules"`
	// Awaited is set when some rule waits for this event (wait_for.event):
	// a correlated event is then published to its mailbox.
	Awaited bool `json:"awaited,omitempty"`
}

// PlannedRule is one matched rule. Its slices and With trees are shared with
// the Engine: treat them as read-only.
type PlannedRule struct {
	Name      string `json:"name"`
	File      string `json:"file"`
	Steps     []Step `json:"steps"`
	OnFailure []Step `json:"on_failure,omitempty"`
	OnCancel  []Step `json:"on_cancel,omitempty"`
	// Error is set, and Steps empty, when the rule's `when` failed to
	// evaluate for this event: the rule fails on its own and its
	// neighbours still run.
	Error string `json:"error,omitempty"`
}

// Step is one step of a rule. Exactly one of Call, Sleep and WaitFor is set.
type Step struct {
	ID    string   `json:"id"`
	Call  string   `json:"call,omitempty"` // "integration.operation"
	Needs []string `json:"needs,omitempty"`
	// With is the template tree exactly as written: map[string]any, []any,
	// strings with ${{ }} and scalars. Render evaluates it.
	With any `json:"with,omitempty"`
	// If is an expr source (as written, without ${{ }}); false skips the step,
	// visibly (status "skipped"). Evaluated with EvalBool against the step's scope.
	If string `json:"if,omitempty"`
	// Retry overrides the integration's retry policy field by field (zero: keep).
	Retry *Retry `json:"retry,omitempty"`
	// Timeout overrides the integration's per-attempt timeout.
	Timeout time.Duration `json:"timeout,omitempty"`
	// ContinueOnError lets dependants run and the rule succeed when this step
	// finally fails; the step's status is "failed" and templates can see it.
	ContinueOnError bool `json:"continue_on_error,omitempty"`
	// Sleep is a durable timer step (`sleep: 3d`).
	Sleep time.Duration `json:"sleep,omitempty"`
	// WaitFor waits for a signal or a correlated event.
	WaitFor *WaitFor `json:"wait_for,omitempty"`
}

// Retry is a step-level retry override; zero fields keep the integration's.
type Retry struct {
	Initial     time.Duration `json:"initial,omitempty"`
	Backoff     float64       `json:"backoff,omitempty"`
	MaxInterval time.Duration `json:"max_interval,omitempty"`
	MaxAttempts int           `json:"max_attempts,omitempty"`
	Expire      time.Duration `json:"expire,omitempty"`
}

// WaitFor makes the run wait for a signal or a correlated event; exactly one
// of Signal and Events is set. Match, an expr source evaluated with
// EvalMatch where `signal` is what arrived, filters; Timeout ends the wait
// with steps.<id>.timed_out = true.
type WaitFor struct {
	// Signal is delivered by POST /runs/{workflow_id}/signals/{name} or
	// `hookflow signal`.
	Signal string `json:"signal,omitempty"`
	// Events are the event types that end the wait: events with the run's
	// correlation key, received by one of Triggers (by default the run's own
	// trigger only, so a weaker trigger cannot resume a run).
	Events   []string      `json:"events,omitempty"`
	Triggers []string      `json:"triggers,omitempty"`
	Timeout  time.Duration `json:"timeout,omitempty"`
	Match    string        `json:"match,omitempty"`
}

// Integration is the part of Call before the first dot.
func (s Step) Integration() string {
	i, _, _ := strings.Cut(s.Call, ".")
	return i
}

// Operation is the part of Call after the first dot.
func (s Step) Operation() string {
	_, op, _ := strings.Cut(s.Call, ".")
	return op
}
