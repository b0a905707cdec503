package rules

import (
	"strings"

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
	steps, onFailure []*stepDef
}

// stepDef is one parsed step with its positions and template references.
type stepDef struct {
	Step
	onFailure  bool
	node       *yaml.Node
	idNode     *yaml.Node
	callNode   *yaml.Node
	withNode   *yaml.Node
	ifNode     *yaml.Node
	matchNode  *yaml.Node
	needsNodes []*yaml.Node
	kinds      []*yaml.Node // the call, sleep and wait_for keys present
	extras     []*yaml.Node // the call-only keys present (with, retry, …)
	refs       []stepRef
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
	for _, s := range append(append([]*stepDef(nil), d.steps...), d.onFailure...) {
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
	// on_failure steps for on_failure steps.
	for _, list := range [][]*stepDef{d.steps, d.onFailure} {
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
					if other, ok := all[need]; ok && other.onFailure != s.onFailure {
						l.errorf(s.needsNodes[i], "step %s: needs %s, which is not in the same list (steps and on_failure do not wait for each other)", s.ID, need)
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
			if !s.onFailure && graphOK {
				before = ancestors(s, ids)
			}
			for _, r := range s.refs {
				switch {
				case all[r.id] == nil:
					l.errorAt(r.line, r.col, "step %s: %s: steps.%s is not a step of rule %s", s.ID, r.path, r.id, d.name)
				case s.onFailure || !graphOK:
				case r.id == s.ID:
					l.errorAt(r.line, r.col, "step %s: %s: a step cannot read its own output", s.ID, r.path)
				case all[r.id].onFailure:
					l.errorAt(r.line, r.col, "step %s: %s: steps.%s is an on_failure step, which has not run", s.ID, r.path, r.id)
				case !before[r.id]:
					l.errorAt(r.line, r.col, "step %s: %s: steps.%s has not run yet: add %s to needs", s.ID, r.path, r.id, r.id)
				}
			}
		}
	}
	if l.opts.Operation != nil {
		for _, s := range append(append([]*stepDef(nil), d.steps...), d.onFailure...) {
			l.checkOperation(s)
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
