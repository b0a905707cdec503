package rules

import (
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/expr-lang/expr/vm"
)

// Engine is a loaded, compiled set of rules. It is immutable after Load and
// safe for concurrent use.
type Engine struct {
	version string
	names   []string
	index   map[string]*triggerIndex
	vars    map[string]any
	c       *compiler // templates
	cond    *compiler // if (and when)
	match   *compiler // wait_for.match
	tmpls   sync.Map  // template string → *tmpl
	// awaited holds "trigger\x00type" for every event some wait_for.event
	// accepts: only those events are published to their mailbox.
	awaited map[string]bool
	limits  limits // of every evaluation (budget.go); zero: the defaults
	// warnings are what `hookflow check` shows without failing (jsonwarn.go).
	warnings Diagnostics
}

// rule is one compiled rule; seq is its position in name order.
type rule struct {
	seq  int
	when *vm.Program // nil: always
	plan PlannedRule
}

// triggerIndex holds one trigger's rules, by pinned event type when `when`
// pins one, so matching cost does not grow with other types' rules.
type triggerIndex struct {
	anyType []*rule
	byType  map[string][]*rule
}

func newEngine(version string, defs []*ruleDef, l *loader, opts Options) *Engine {
	slices.SortFunc(defs, func(a, b *ruleDef) int {
		if a.name < b.name {
			return -1
		}
		if a.name > b.name {
			return 1
		}
		return 0
	})
	e := &Engine{
		version: version,
		index:   map[string]*triggerIndex{},
		vars:    maps.Clone(opts.Vars),
		c:       l.c.tmpl,
		cond:    l.c.cond,
		match:   l.c.match,
	}
	for s, t := range l.tmpls {
		e.tmpls.Store(s, t)
	}
	e.awaited = awaitedEvents(defs)
	l.warns.sort()
	e.warnings = l.warns
	for i, d := range defs {
		e.names = append(e.names, d.name)
		r := &rule{seq: i, when: d.whenProg, plan: PlannedRule{
			Name:      d.name,
			File:      d.file,
			Steps:     plainSteps(d.steps),
			OnFailure: plainSteps(d.onFailure),
			OnCancel:  plainSteps(d.onCancel),
		}}
		seen := map[string]bool{}
		for _, t := range d.on {
			if seen[t] {
				continue
			}
			seen[t] = true
			ix := e.index[t]
			if ix == nil {
				ix = &triggerIndex{byType: map[string][]*rule{}}
				e.index[t] = ix
			}
			if d.eventType != "" {
				ix.byType[d.eventType] = append(ix.byType[d.eventType], r)
			} else {
				ix.anyType = append(ix.anyType, r)
			}
		}
	}
	return e
}

func plainSteps(defs []*stepDef) []Step {
	if len(defs) == 0 {
		return nil
	}
	out := make([]Step, len(defs))
	for i, d := range defs {
		out[i] = d.Step
	}
	return out
}

// awaitedEvents lists the (trigger, type) pairs the rules' wait_for.event
// steps accept; a wait without triggers accepts its rule's own triggers.
func awaitedEvents(defs []*ruleDef) map[string]bool {
	out := map[string]bool{}
	for _, d := range defs {
		for _, s := range d.allSteps() {
			if s.WaitFor == nil {
				continue
			}
			triggers := s.WaitFor.Triggers
			if len(triggers) == 0 {
				triggers = d.on
			}
			for _, t := range triggers {
				for _, typ := range s.WaitFor.Events {
					out[t+"\x00"+typ] = true
				}
			}
		}
	}
	return out
}

// Awaited reports whether some rule waits for events of this type from this
// trigger (wait_for.event), so the event must reach its mailbox.
func (e *Engine) Awaited(trigger, eventType string) bool {
	return e.awaited[trigger+"\x00"+eventType]
}

// Version is the first 12 hex digits of sha256 over the sorted rule files'
// names and contents: it changes whenever a rule file does.
func (e *Engine) Version() string { return e.version }

// Rules returns the rule names, sorted.
func (e *Engine) Rules() []string { return slices.Clone(e.names) }

// Match evaluates the `when` of every rule whose `on` lists the event's
// trigger and returns the matching rules in name order. A rule whose `when`
// fails to evaluate is planned with its Error, its on_failure steps and no
// steps, so it fails on its own while the other rules run.
func (e *Engine) Match(in Input) (Plan, error) {
	plan := Plan{Version: e.version, Rules: []PlannedRule{}, Awaited: e.Awaited(in.Event.Trigger, in.Event.Type)}
	ix := e.index[in.Event.Trigger]
	if ix == nil {
		return plan, nil
	}
	typed := ix.byType[in.Event.Type]
	if len(ix.anyType) == 0 && len(typed) == 0 {
		return plan, nil
	}
	env := e.envFor(in, nil, nil)
	// Merge the two name-ordered lists.
	a, b := ix.anyType, typed
	for len(a) > 0 || len(b) > 0 {
		var r *rule
		if len(b) == 0 || (len(a) > 0 && a[0].seq < b[0].seq) {
			r, a = a[0], a[1:]
		} else {
			r, b = b[0], b[1:]
		}
		if r.when != nil {
			out, err := run(r.when, &env)
			if err != nil {
				plan.Rules = append(plan.Rules, PlannedRule{Name: r.plan.Name, File: r.plan.File, OnFailure: r.plan.OnFailure, Error: fmt.Sprintf("when: %v", err)})
				continue
			}
			if ok, _ := out.(bool); !ok {
				continue
			}
		}
		plan.Rules = append(plan.Rules, r.plan)
	}
	return plan, nil
}
