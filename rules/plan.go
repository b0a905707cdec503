package rules

import "strings"

// Plan is the result of matching one event: which rules run, with their steps
// exactly as written, so a workflow can record it and render later.
type Plan struct {
	Version string        `json:"version"`
	Rules   []PlannedRule `json:"rules"`
}

// PlannedRule is one matched rule. Its slices and With trees are shared with
// the Engine: treat them as read-only.
type PlannedRule struct {
	Name      string `json:"name"`
	File      string `json:"file"`
	Steps     []Step `json:"steps"`
	OnFailure []Step `json:"on_failure,omitempty"`
}

// Step is one call of an integration operation.
type Step struct {
	ID    string   `json:"id"`
	Call  string   `json:"call"` // "integration.operation"
	Needs []string `json:"needs,omitempty"`
	// With is the template tree exactly as written: map[string]any, []any,
	// strings with ${{ }} and scalars. Render evaluates it.
	With any `json:"with,omitempty"`
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
