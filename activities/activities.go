package activities

import (
	"sync/atomic"
	"time"

	"go.temporal.io/sdk/converter"

	"github.com/hookflow/hookflow/integrations"
	"github.com/hookflow/hookflow/rules"
)

// Registered activity names: public API, recorded in every history.
const (
	MatchRulesName  = "MatchRules"
	CallStepName    = "CallStep"
	EvaluateName    = "Evaluate"
	PublishName     = "PublishEvent"
	SubscribeName   = "Subscribe"
	UnsubscribeName = "Unsubscribe"
	LoadEventName   = "LoadEvent"
	// RouteEventName is the Visibility-based router of runs started before
	// correlation mailboxes; it is kept only for those runs.
	RouteEventName = "RouteEvent"
)

// Project is what the activities need of a loaded project.
type Project struct {
	Rules        *rules.Engine
	Integrations *integrations.Set
	// SearchAttributes are computed from each event by MatchRules.
	SearchAttributes []SearchAttribute
	// Correlation is each correlating trigger's buffer window: how long its
	// events wait in their mailbox for a run to start waiting for them.
	Correlation map[string]time.Duration
	// HealthNotify is the call that announces an integration's health
	// change (hookflow.yaml `health.notify`), or nil.
	HealthNotify *rules.Step
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

// Deps are the activities' connections to the rest of the process; any may
// be nil where a process does not need it (tests, `hookflow test`).
type Deps struct {
	Metrics Recorder
	// Temporal routes correlated events and answers the circuit.
	Temporal Temporal
	// DataConverter decodes the events LoadEvent reads from history; nil is
	// the SDK's default (no encryption).
	DataConverter converter.DataConverter
}

// Activities are the worker's activities. The project can be swapped while
// running (hot reload); a call sees one project throughout.
type Activities struct {
	project atomic.Pointer[Project]
	deps    Deps
	circuit circuit
}

// New returns activities over p.
func New(p Project, deps Deps) *Activities {
	if deps.DataConverter == nil {
		deps.DataConverter = converter.GetDefaultDataConverter()
	}
	a := &Activities{deps: deps}
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
	Name string `json:"name"`
	Type string `json:"type"`
	// Text is the value as the template printed it: exact, also for
	// integers beyond 2^53, which a JSON number through history is not.
	Text string `json:"text,omitempty"`
	// Value is the value itself; only runs recorded before Text read it.
	Value any `json:"value,omitempty"`
	// List holds the items of a keyword_list, each as text.
	List []string `json:"list,omitempty"`
}

// Policy is how a step of one integration is retried and timed out.
type Policy struct {
	Retry   integrations.RetryPolicy `json:"retry"`
	Timeout time.Duration            `json:"timeout"`
	// TaskQueue is the integration's own queue when it is rate limited; "" is the shared one.
	TaskQueue string `json:"task_queue,omitempty"`
	// Checked is set when the integration has a health check, whose
	// circuit can hold its steps.
	Checked bool `json:"checked,omitempty"`
}

// TaskQueue is hookflow's shared task queue; a limited integration's steps
// run on TaskQueue + "-" + its name.
const TaskQueue = "hookflow"
