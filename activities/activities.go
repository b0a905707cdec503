package activities

import (
	"sync/atomic"
	"time"

	"github.com/hookflow/hookflow/integrations"
	"github.com/hookflow/hookflow/rules"
)

// Registered activity names: public API, recorded in every history.
const (
	MatchRulesName = "MatchRules"
	CallStepName   = "CallStep"
	EvaluateName   = "Evaluate"
	RouteEventName = "RouteEvent"
)

// Project is what the activities need of a loaded project.
type Project struct {
	Rules        *rules.Engine
	Integrations *integrations.Set
	// SearchAttributes are computed from each event by MatchRules.
	SearchAttributes []SearchAttribute
}

// SearchAttribute is a project-declared search attribute: Value is an expr
// over the event (payload, headers, event, vars), Type a Temporal type name
// (keyword, keyword_list, text, int, double, bool, datetime).
type SearchAttribute struct {
	Name  string `json:"name"`
	Type  string `json:"type"`
	Value string `json:"value"`
}

// Recorder takes one measurement per CallStep attempt; outcome is
// success, retryable, permanent or skipped.
type Recorder interface {
	StepCall(integration, operation, outcome string, attempt int, d time.Duration)
	IntegrationUp(integration string, up bool)
}

// Activities are the worker's activities. The project can be swapped while
// running (hot reload); a call sees one project throughout.
type Activities struct {
	project  atomic.Pointer[Project]
	metrics  Recorder
	temporal Temporal
	circuit  circuit
}

// New returns activities over p; metrics may be nil, and temporal (for
// routing correlated events) too where no trigger correlates.
func New(p Project, metrics Recorder, temporal Temporal) *Activities {
	a := &Activities{metrics: metrics, temporal: temporal}
	a.Swap(p)
	return a
}

// Swap replaces the project for calls that start from now on.
func (a *Activities) Swap(p Project) { a.project.Store(&p) }

func (a *Activities) current() *Project { return a.project.Load() }

// Plan is MatchRules' result, recorded in history: the matched rules with
// their steps as written, and the retry policy of every integration they
// call. A run follows its plan even if the rules change while it runs.
type Plan struct {
	rules.Plan
	Policies map[string]Policy `json:"policies,omitempty"`
	// Attributes are the project's search attributes for this event, typed
	// by Type; an attribute whose expression failed or gave nothing is absent.
	Attributes []AttributeValue `json:"attributes,omitempty"`
}

// AttributeValue is one computed search attribute.
type AttributeValue struct {
	Name  string `json:"name"`
	Type  string `json:"type"`
	Value any    `json:"value"`
}

// Policy is how a step of one integration is retried and timed out.
type Policy struct {
	Retry   integrations.RetryPolicy `json:"retry"`
	Timeout time.Duration            `json:"timeout"`
	// TaskQueue is the integration's own queue when it is rate limited; "" is the shared one.
	TaskQueue string `json:"task_queue,omitempty"`
}

// TaskQueue is hookflow's shared task queue; a limited integration's steps
// run on TaskQueue + "-" + its name.
const TaskQueue = "hookflow"
