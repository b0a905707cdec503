package rules

import (
	"maps"
	"slices"
	"strings"

	"github.com/expr-lang/expr/ast"

	"github.com/expr-lang/expr/vm"
	"gopkg.in/yaml.v3"
)

// ruleDef is one parsed rule with the YAML positions checks report at.
type ruleDef struct {
	name, file, path string
	node, nameNode   *yaml.Node
	on               []string
	onNodes          []*yaml.Node
	when             string
	whenNode         *yaml.Node
	whenProg         *vm.Program
	eventType        string // pinned by `when`, for the index
	steps            []*stepDef
	onFailure        []*stepDef
	onCancel         []*stepDef
}

// Step lists of a rule: the steps, and the two handler lists.
const (
	listSteps     = "steps"
	listOnFailure = "on_failure"
	listOnCancel  = "on_cancel"
)

// stepDef is one parsed step with its positions and template references.
type stepDef struct {
	Step
	list         string // listSteps, listOnFailure or listOnCancel
	node         *yaml.Node
	idNode       *yaml.Node
	callNode     *yaml.Node
	withNode     *yaml.Node
	ifNode       *yaml.Node
	matchNode    *yaml.Node
	waitNode     *yaml.Node   // the wait_for mapping
	triggerNodes []*yaml.Node // wait_for.triggers entries
	needsNodes   []*yaml.Node
	kinds        []*yaml.Node // the call, sleep and wait_for keys present
	extras       []*yaml.Node // the call-only keys present (with, retry, …)
	refs         []stepRef
}

// stepRef is a `steps.<id>` read by a template, at its file position.
type stepRef struct {
	id        string
	line, col int
	path      string
}

// checkProject runs the checks that need a whole rule or every rule.
func (l *loader) checkProject(defs []*ruleDef) {
	names := map[string]*ruleDef{}
	var known map[string]bool
	if l.opts.Triggers != nil {
		known = map[string]bool{}
		for _, t := range l.opts.Triggers {
			known[t] = true
		}
	}
	for _, d := range defs {
		l.src = &source{name: d.file, path: d.path}
		at := d.nameNode
		if at == nil {
			at = d.node
		}
		if first, dup := names[d.name]; dup {
			l.errorf(at, "duplicate rule name %s (also in %s)", d.name, first.path)
		} else {
			names[d.name] = d
		}
		if known != nil {
			for i, t := range d.on {
				if !known[t] {
					l.errorf(d.onNodes[i], "unknown trigger %s (known: %s)", t, knownTriggers(l.opts.Triggers))
				}
			}
		}
		l.checkSteps(d)
	}
}

func (l *loader) checkSteps(d *ruleDef) {
	all := map[string]*stepDef{}
	for _, s := range d.allSteps() {
		if first, dup := all[s.ID]; dup {
			at := s.idNode
			if at == nil {
				at = s.node
			}
			l.errorf(at, "duplicate step id %s (first at line %d)", s.ID, first.node.Line)
			continue
		}
		all[s.ID] = s
	}
	// needs name steps of the same list: main steps wait for main steps,
	// on_failure steps for on_failure steps, on_cancel for on_cancel.
	for _, list := range [][]*stepDef{d.steps, d.onFailure, d.onCancel} {
		ids := map[string]*stepDef{}
		for _, s := range list {
			if _, dup := ids[s.ID]; !dup {
				ids[s.ID] = s
			}
		}
		graphOK := true
		for _, s := range list {
			for i, need := range s.Needs {
				if _, ok := ids[need]; !ok {
					if other, ok := all[need]; ok && other.list != s.list {
						l.errorf(s.needsNodes[i], "step %s: needs %s, which is not in the same list (steps, on_failure and on_cancel do not wait for each other)", s.ID, need)
					} else {
						l.errorf(s.needsNodes[i], "step %s: needs unknown step %s", s.ID, need)
					}
				}
			}
		}
		if !l.checkCycles(list, ids) {
			graphOK = false
		}
		for _, s := range list {
			var before map[string]bool
			if s.list == listSteps && graphOK {
				before = ancestors(s, ids)
			}
			for _, r := range s.refs {
				switch {
				case all[r.id] == nil:
					l.errorAt(r.line, r.col, "step %s: %s: steps.%s is not a step of rule %s", s.ID, r.path, r.id, d.name)
				case s.list != listSteps || !graphOK:
				case r.id == s.ID:
					l.errorAt(r.line, r.col, "step %s: %s: a step cannot read its own output", s.ID, r.path)
				case all[r.id].list != listSteps:
					l.errorAt(r.line, r.col, "step %s: %s: steps.%s is an %s step, which has not run", s.ID, r.path, r.id, all[r.id].list)
				case !before[r.id]:
					l.errorAt(r.line, r.col, "step %s: %s: steps.%s has not run yet: add %s to needs", s.ID, r.path, r.id, r.id)
				}
			}
		}
	}
	for _, s := range d.allSteps() {
		if l.opts.Operation != nil {
			l.checkOperation(s)
		}
		if s.WaitFor != nil && len(s.WaitFor.Events) > 0 {
			l.checkCorrelation(d, s)
		}
	}
}

// allSteps is every step of the rule, handlers included, in file order.
func (d *ruleDef) allSteps() []*stepDef {
	return slices.Concat(d.steps, d.onFailure, d.onCancel)
}

// checkCorrelation reports a wait_for.event that no event can satisfy: the
// waiting run's key comes from its own trigger's correlate, and the event's
// from the trigger that receives it, so both must correlate.
func (l *loader) checkCorrelation(d *ruleDef, s *stepDef) {
	if l.opts.Correlating == nil {
		return
	}
	at := s.waitNode
	for _, t := range d.on {
		if !slices.Contains(l.opts.Correlating, t) {
			l.errorf(at, "step %s: wait_for.event needs the run's correlation key, but trigger %s (in on) sets no correlate: add `correlate: <expression>` to trigger %s in hookflow.yaml", s.ID, t, t)
		}
	}
	for i, t := range s.WaitFor.Triggers {
		switch {
		case l.opts.Triggers != nil && !slices.Contains(l.opts.Triggers, t):
			l.errorf(s.triggerNodes[i], "step %s: wait_for.triggers: unknown trigger %s (known: %s)", s.ID, t, knownTriggers(l.opts.Triggers))
		case !slices.Contains(l.opts.Correlating, t):
			l.errorf(s.triggerNodes[i], "step %s: wait_for.triggers: trigger %s sets no correlate, so none of its events can reach this wait: add `correlate: <expression>` to trigger %s", s.ID, t, t)
		}
	}
}

// checkCycles reports each needs cycle once; false when there is one.
func (l *loader) checkCycles(list []*stepDef, ids map[string]*stepDef) bool {
	const (
		unseen = iota
		active
		done
	)
	state := map[string]int{}
	ok := true
	var path []string
	var visit func(s *stepDef)
	visit = func(s *stepDef) {
		state[s.ID] = active
		path = append(path, s.ID)
		for i, need := range s.Needs {
			switch state[need] {
			case active:
				start := 0
				for j, id := range path {
					if id == need {
						start = j
					}
				}
				cycle := append(append([]string(nil), path[start:]...), need)
				l.errorf(s.needsNodes[i], "step %s: needs cycle %s", s.ID, strings.Join(cycle, " → "))
				ok = false
			case unseen:
				if next := ids[need]; next != nil {
					visit(next)
				}
			}
		}
		path = path[:len(path)-1]
		state[s.ID] = done
	}
	for _, s := range list {
		if state[s.ID] == unseen && ids[s.ID] == s {
			visit(s)
		}
	}
	return ok
}

// ancestors is the transitive needs of s (the graph is acyclic).
func ancestors(s *stepDef, ids map[string]*stepDef) map[string]bool {
	seen := map[string]bool{}
	stack := append([]string(nil), s.Needs...)
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[id] {
			continue
		}
		seen[id] = true
		if n := ids[id]; n != nil {
			stack = append(stack, n.Needs...)
		}
	}
	return seen
}

func (l *loader) checkOperation(s *stepDef) {
	if s.callNode == nil || !callRE.MatchString(s.Call) {
		return
	}
	required, err := l.opts.Operation(s.Integration(), s.Operation())
	if err != nil {
		l.errorf(s.callNode, "step %s: %v", s.ID, err)
		return
	}
	at := s.withNode
	if at == nil {
		at = s.node
	}
	for _, field := range required {
		if !hasField(s.With, field) {
			l.errorf(at, "step %s: %s requires with.%s", s.ID, s.Call, field)
		}
	}
	if l.opts.Fields == nil || s.withNode == nil || s.withNode.Kind != yaml.MappingNode {
		return
	}
	fields, ok := l.opts.Fields(s.Integration(), s.Operation())
	if !ok {
		return
	}
	for _, p := range l.pairs(s.withNode) {
		if !slices.Contains(fields, p.key.Value) {
			l.errorf(p.key, "step %s: with.%s: %s takes no field %s (it takes: %s)", s.ID, p.key.Value, s.Call, p.key.Value, strings.Join(slices.Sorted(slices.Values(fields)), ", "))
		}
	}
}

// hasField reports whether the dotted path names a present key in with.
func hasField(with any, path string) bool {
	cur := with
	for _, k := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return false
		}
		if cur, ok = m[k]; !ok {
			return false
		}
	}
	return true
}

// checkVars reports each `vars.<name>` an expression reads that the project
// does not declare, so a typo fails `hookflow check` instead of every event.
// prefix names where the expression is ("step a: if"); base is the rune
// offset of the expression inside n's value.
func (l *loader) checkVars(root ast.Node, n *yaml.Node, base int, prefix string) {
	var v varRefs
	ast.Walk(&root, &v)
	for _, r := range v {
		if _, ok := l.opts.Vars[r.id]; ok {
			continue
		}
		declared := "none are declared: add a top-level vars: section to hookflow.yaml"
		if len(l.opts.Vars) > 0 {
			declared = "declared: " + strings.Join(slices.Sorted(maps.Keys(l.opts.Vars)), ", ")
		}
		line, col := l.pos(n, base+r.offset)
		l.errorAt(line, col, "%s: vars.%s is not a project var (%s)", prefix, r.id, declared)
	}
}

// varRefs collects `vars.<name>` reads with constant names.
type varRefs []ref

func (v *varRefs) Visit(node *ast.Node) {
	m, ok := (*node).(*ast.MemberNode)
	if !ok {
		return
	}
	id, ok := m.Node.(*ast.IdentifierNode)
	prop, isStr := m.Property.(*ast.StringNode)
	if ok && isStr && id.Value == "vars" {
		*v = append(*v, ref{prop.Value, prop.Location().From})
	}
}
