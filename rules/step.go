package rules

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// stepFields lists a step's fields for "unknown field" messages.
const stepFields = "id, call, sleep, wait_for, needs, if, with, retry, timeout, continue_on_error"

// checkKind enforces exactly one of call, sleep and wait_for, and keeps the
// call-only fields (with, retry, timeout, continue_on_error) on call steps.
func (l *loader) checkKind(s *stepDef) {
	switch {
	case len(s.kinds) == 0:
		l.errorf(s.node, "step %s is missing call, sleep or wait_for (what the step does)", s.ID)
		return
	case len(s.kinds) > 1:
		l.errorf(s.kinds[1], "step %s: %s and %s cannot be combined; a step does one thing (split it into two steps with needs)",
			s.ID, s.kinds[0].Value, s.kinds[1].Value)
		return
	}
	if kind := s.kinds[0].Value; kind != "call" {
		for _, k := range s.extras {
			l.errorf(k, "step %s: %s only applies to call steps, not %s", s.ID, k.Value, kind)
		}
	}
}

// compileCondition compiles an `if` or a wait_for.match (bool expressions
// written without ${{ }}) and records the steps it reads.
func (l *loader) compileCondition(s *stepDef, n *yaml.Node, src, what string, c *compiler) {
	prog, err := c.compile(src)
	if err != nil {
		msg := exprMessage(err)
		if c != l.c.match {
			msg = signalOutsideMatch(msg)
		}
		line, col := l.pos(n, max(exprOffset(err), 0))
		l.errorAt(line, col, "step %s: %s: %s", s.ID, what, msg)
		return
	}
	l.checkVars(prog.Node(), n, 0, fmt.Sprintf("step %s: %s", s.ID, what))
	sc := scan(prog.Node())
	for _, r := range sc.steps {
		line, col := l.pos(n, r.offset)
		s.refs = append(s.refs, stepRef{id: r.id, line: line, col: col, path: what})
	}
	if s.list != listOnFailure {
		for _, off := range sc.failure {
			line, col := l.pos(n, off)
			l.errorAt(line, col, "step %s: %s: failure is only set in on_failure steps", s.ID, what)
		}
	}
}

var daysRE = regexp.MustCompile(`(\d+(?:\.\d*)?|\.\d+)d`)

// ParseDuration is time.ParseDuration plus `d` for days of 24 hours: 30s,
// 10m, 72h, 3d, 1d12h. Rule durations must also be positive.
func ParseDuration(s string) (time.Duration, error) {
	// Go's units (ns us µs ms s m h) contain no d, so every <number>d is days.
	var bad error
	hours := daysRE.ReplaceAllStringFunc(s, func(m string) string {
		f, err := strconv.ParseFloat(strings.TrimSuffix(m, "d"), 64)
		if err != nil || f*24 > math.MaxInt64/float64(time.Hour) {
			bad = fmt.Errorf("%q is out of range", s)
		}
		return strconv.FormatFloat(f*24, 'f', -1, 64) + "h"
	})
	if bad != nil {
		return 0, bad
	}
	d, err := time.ParseDuration(hours)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration (like 30s, 10m, 72h or 3d)", s)
	}
	if d <= 0 {
		return 0, fmt.Errorf("%q must be positive", s)
	}
	return d, nil
}

// duration reads a step duration; a bare number is an error, not seconds.
func (l *loader) duration(n *yaml.Node, s *stepDef, what string) (time.Duration, bool) {
	n = deref(n)
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		l.errorf(n, "step %s: %s must be a duration like 30s, 10m, 72h or 3d", s.ID, what)
		return 0, false
	}
	if n.Tag == "!!int" || n.Tag == "!!float" {
		l.errorf(n, "step %s: %s: %s needs a unit, like %ss, %sm or %sh", s.ID, what, n.Value, n.Value, n.Value, n.Value)
		return 0, false
	}
	d, err := ParseDuration(n.Value)
	if err != nil {
		l.errorf(n, "step %s: %s: %v", s.ID, what, err)
		return 0, false
	}
	return d, true
}

func (l *loader) boolean(n *yaml.Node, s *stepDef, what string) bool {
	n = deref(n)
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		l.errorf(n, "step %s: %s must be true or false", s.ID, what)
		return false
	}
	b, _ := strconv.ParseBool(n.Value)
	return b
}

// mapping returns n's pairs, or reports that it must be a mapping.
func (l *loader) mapping(n *yaml.Node, s *stepDef, what, want string) ([]pair, bool) {
	n = deref(n)
	if n.Kind != yaml.MappingNode {
		l.errorf(n, "step %s: %s must be a mapping with %s", s.ID, what, want)
		return nil, false
	}
	return l.pairs(n), true
}

const waitForFields = "signal, event, triggers, timeout, match"

// reservedSignalPrefix names hookflow's own signals (correlation
// deliveries); a rule cannot wait for them by name.
const reservedSignalPrefix = "hookflow."

func (l *loader) parseWaitFor(n *yaml.Node, s *stepDef) *WaitFor {
	ps, ok := l.mapping(n, s, "wait_for", waitForFields)
	if !ok {
		return nil
	}
	w := &WaitFor{}
	var triggersKey *yaml.Node
	for _, p := range ps {
		switch p.key.Value {
		case "signal":
			if name, ok := l.str(p.val, "wait_for.signal"); ok {
				w.Signal = name
				switch {
				case !ruleNameRE.MatchString(name):
					l.errorf(deref(p.val), "step %s: wait_for.signal %q must match [A-Za-z0-9][A-Za-z0-9_.-]*", s.ID, name)
				case strings.HasPrefix(name, reservedSignalPrefix):
					l.errorf(deref(p.val), "step %s: wait_for.signal %q: names starting with %q are hookflow's own", s.ID, name, reservedSignalPrefix)
				}
			}
		case "event":
			types, nodes := l.strs(p.val, "wait_for.event")
			if len(types) == 0 && deref(p.val).Kind == yaml.SequenceNode {
				l.errorf(p.val, "step %s: wait_for.event must name at least one event type", s.ID)
			}
			for i, t := range types {
				if t == "" {
					l.errorf(nodes[i], "step %s: wait_for.event: an event type cannot be empty", s.ID)
				}
			}
			w.Events = types
		case "triggers":
			triggersKey = p.key
			w.Triggers, s.triggerNodes = l.strs(p.val, "wait_for.triggers")
		case "timeout":
			w.Timeout, _ = l.duration(p.val, s, "wait_for.timeout")
		case "match":
			if src, ok := l.str(p.val, "wait_for.match"); ok {
				w.Match, s.matchNode = src, deref(p.val)
			}
		default:
			l.errorf(p.key, "unknown field `%s` in step %s wait_for (want %s)", p.key.Value, s.ID, waitForFields)
		}
	}
	switch {
	case w.Signal == "" && len(w.Events) == 0:
		l.errorf(deref(n), "step %s: wait_for needs signal (a name delivered by `hookflow signal`) or event (a correlated event type)", s.ID)
	case w.Signal != "" && len(w.Events) > 0:
		l.errorf(deref(n), "step %s: wait_for takes signal or event, not both (split it into two steps)", s.ID)
	case triggersKey != nil && w.Signal != "":
		l.errorf(triggersKey, "step %s: wait_for.triggers only applies to event, not signal", s.ID)
	}
	return w
}

const retryFields = "initial, backoff, max_interval, max_attempts, expire"

func (l *loader) parseRetry(n *yaml.Node, s *stepDef) *Retry {
	ps, ok := l.mapping(n, s, "retry", retryFields)
	if !ok {
		return nil
	}
	r := &Retry{}
	var initialNode *yaml.Node
	for _, p := range ps {
		v := deref(p.val)
		switch p.key.Value {
		case "initial":
			r.Initial, _ = l.duration(v, s, "retry.initial")
			initialNode = v
		case "max_interval":
			r.MaxInterval, _ = l.duration(v, s, "retry.max_interval")
		case "expire":
			r.Expire, _ = l.duration(v, s, "retry.expire")
		case "backoff":
			f, err := strconv.ParseFloat(v.Value, 64)
			if v.Kind != yaml.ScalarNode || (v.Tag != "!!int" && v.Tag != "!!float") || err != nil || f < 1 || math.IsInf(f, 0) {
				l.errorf(v, "step %s: retry.backoff must be a number of at least 1 (the factor between delays)", s.ID)
				continue
			}
			r.Backoff = f
		case "max_attempts":
			i, err := strconv.Atoi(v.Value)
			if v.Kind != yaml.ScalarNode || v.Tag != "!!int" || err != nil || i < 1 {
				l.errorf(v, "step %s: retry.max_attempts must be a whole number of at least 1", s.ID)
				continue
			}
			r.MaxAttempts = i
		default:
			l.errorf(p.key, "unknown field `%s` in step %s retry (want %s)", p.key.Value, s.ID, retryFields)
		}
	}
	if r.Initial > 0 && r.MaxInterval > 0 && r.Initial > r.MaxInterval {
		l.errorf(initialNode, "step %s: retry.initial %s is longer than retry.max_interval %s", s.ID, r.Initial, r.MaxInterval)
	}
	return r
}
