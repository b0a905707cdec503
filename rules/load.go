package rules

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

const (
	// maxFileSize caps one rule file.
	maxFileSize = 256 << 10
	// maxDepth caps the nesting of a `with` tree.
	maxDepth = 64
	// maxNodesPerFile caps the YAML nodes one file may expand to, so aliases
	// cannot multiply a small file into a huge tree.
	maxNodesPerFile = 100_000
)

// Options is what the rest of the project tells the loader.
type Options struct {
	// Triggers are the known trigger names; nil means triggers are not checked.
	Triggers []string
	// Operation reports the `with` fields an integration operation requires,
	// or an error when the integration or operation is unknown. Nil means
	// calls are not checked.
	Operation func(integration, operation string) (required []string, err error)
	// Vars are project-level constants, `vars.x` in expressions.
	Vars map[string]any
	// URLPaths reports which `with` fields of an integration operation hold
	// a URL path: each ${{ }} in them renders as one percent-encoded path
	// segment (see pathTemplate). Nil means no field is a URL path.
	URLPaths func(integration, operation string) []string
	// Correlating are the triggers that set `correlate`; nil means
	// wait_for.event is not checked against them.
	Correlating []string
	// Fields reports every `with` field an operation takes; ok false (or
	// a nil Fields) leaves unknown fields to be found when a call is built.
	Fields func(integration, operation string) (fields []string, ok bool)
}

// Load reads and compiles every *.yaml (not *_test.yaml) in dir. On any error
// it returns all of them as Diagnostics and a nil Engine.
func Load(dir string, opts Options) (*Engine, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, Diagnostics{{File: dir, Msg: fmt.Sprintf("read rules folder: %v", err)}}
	}
	var srcs []source
	var diags Diagnostics
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !isRuleFile(name) {
			continue
		}
		path := filepath.Join(dir, name)
		data, err := readCapped(path)
		if err != nil {
			diags = append(diags, Diagnostic{File: path, Msg: err.Error()})
			continue
		}
		srcs = append(srcs, source{name: name, path: path, data: data})
	}
	return load(srcs, opts, diags)
}

// LoadFiles is Load over explicit (name → content) sources, for tests and
// fuzzing. Names are used as given, also for *_test.yaml skipping.
func LoadFiles(files map[string][]byte, opts Options) (*Engine, error) {
	var srcs []source
	var diags Diagnostics
	for name, data := range files {
		if !isRuleFile(filepath.Base(name)) {
			continue
		}
		if len(data) > maxFileSize {
			diags = append(diags, Diagnostic{File: name, Msg: sizeMsg(len(data))})
			continue
		}
		srcs = append(srcs, source{name: name, path: name, data: data})
	}
	return load(srcs, opts, diags)
}

func isRuleFile(name string) bool {
	return strings.HasSuffix(name, ".yaml") && !strings.HasSuffix(name, "_test.yaml")
}

func sizeMsg(n int) string {
	return fmt.Sprintf("rule file is %d bytes; the limit is %d KiB", n, maxFileSize>>10)
}

func readCapped(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxFileSize {
		return nil, errors.New(sizeMsg(len(data)) + " (or more)")
	}
	return data, nil
}

// source is one rule file: name feeds the version, path the diagnostics.
type source struct {
	name, path string
	data       []byte
}

// version is the first 12 hex digits of sha256 over the sorted sources.
func version(srcs []source) string {
	h := sha256.New()
	for _, s := range srcs {
		fmt.Fprintf(h, "%d:%s\n%d:", len(s.name), s.name, len(s.data))
		h.Write(s.data)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// load parses, compiles and checks srcs; diags are errors found earlier.
func load(srcs []source, opts Options, diags Diagnostics) (*Engine, error) {
	slices.SortFunc(srcs, func(a, b source) int { return strings.Compare(a.name, b.name) })
	l := &loader{opts: opts, c: newCompilers(), tmpls: map[string]*tmpl{}, diags: diags}
	var defs []*ruleDef
	for i := range srcs {
		if def := l.parseFile(&srcs[i]); def != nil {
			defs = append(defs, def)
		}
	}
	l.checkProject(defs)
	if len(l.diags) > 0 {
		l.diags.sort()
		return nil, l.diags
	}
	return newEngine(version(srcs), defs, l, opts), nil
}

// loader accumulates diagnostics while parsing one project.
type loader struct {
	opts  Options
	c     compilers
	tmpls map[string]*tmpl // every template string seen, parsed
	diags Diagnostics
	// warns are problems that do not stop loading (jsonwarn.go).
	warns Diagnostics

	src    *source
	lines  []string
	budget int
}

func (l *loader) errorAt(line, col int, format string, args ...any) {
	l.diags = append(l.diags, Diagnostic{File: l.src.path, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)})
}

func (l *loader) errorf(n *yaml.Node, format string, args ...any) {
	l.errorAt(n.Line, n.Column, format, args...)
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func (l *loader) yamlError(err error) {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		l.errorAt(line, 1, "yaml: %s", m[2])
		return
	}
	l.diags = append(l.diags, Diagnostic{File: l.src.path, Msg: msg})
}

// parseFile parses one rule file; nil when it is unusable.
func (l *loader) parseFile(src *source) *ruleDef {
	l.src, l.budget = src, maxNodesPerFile
	l.lines = strings.Split(string(src.data), "\n")
	dec := yaml.NewDecoder(bytes.NewReader(src.data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if err == io.EOF {
			l.diags = append(l.diags, Diagnostic{File: src.path, Msg: "rule file is empty"})
		} else {
			l.yamlError(err)
		}
		return nil
	}
	var next yaml.Node
	if err := dec.Decode(&next); err != io.EOF {
		if err != nil {
			l.yamlError(err)
		} else {
			l.errorf(&next, "a rule file holds one rule (found a second YAML document)")
		}
		return nil
	}
	if len(doc.Content) == 0 {
		l.diags = append(l.diags, Diagnostic{File: src.path, Msg: "rule file is empty"})
		return nil
	}
	return l.parseRule(deref(doc.Content[0]))
}

func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// spend charges n nodes against the file's budget; false once exhausted.
func (l *loader) spend(n *yaml.Node) bool {
	l.budget--
	if l.budget == 0 {
		l.errorf(n, "rule file expands to more than %d YAML nodes (aliases?)", maxNodesPerFile)
	}
	return l.budget > 0
}

type pair struct{ key, val *yaml.Node }

// pairs lists a mapping's entries, resolving `<<` merge keys; explicit keys
// win over merged ones. Duplicate keys are reported.
func (l *loader) pairs(n *yaml.Node) []pair {
	var out []pair
	seen := map[string]*yaml.Node{}
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), n.Content[i+1]
		if !l.spend(k) {
			return out
		}
		if k.Kind != yaml.ScalarNode {
			l.errorf(k, "mapping keys must be strings")
			continue
		}
		if k.Tag == "!!merge" {
			merges = append(merges, deref(v))
			continue
		}
		if first, dup := seen[k.Value]; dup {
			l.errorf(k, "duplicate key `%s` (first at line %d)", k.Value, first.Line)
			continue
		}
		seen[k.Value] = k
		out = append(out, pair{k, v})
	}
	var sources []*yaml.Node
	for _, m := range merges {
		if m.Kind == yaml.SequenceNode {
			for _, c := range m.Content {
				sources = append(sources, deref(c))
			}
		} else {
			sources = append(sources, m)
		}
	}
	for _, m := range sources {
		if m.Kind != yaml.MappingNode {
			l.errorf(m, "<< must merge a mapping")
			continue
		}
		for _, p := range l.pairs(m) {
			if _, ok := seen[p.key.Value]; !ok {
				seen[p.key.Value] = p.key
				out = append(out, p)
			}
		}
	}
	return out
}

// str returns a scalar's value, reporting what when it is not a scalar.
func (l *loader) str(n *yaml.Node, what string) (string, bool) {
	n = deref(n)
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		l.errorf(n, "%s must be a string", what)
		return "", false
	}
	return n.Value, true
}

// strs accepts a string or a list of strings.
func (l *loader) strs(n *yaml.Node, what string) ([]string, []*yaml.Node) {
	n = deref(n)
	if n.Kind == yaml.ScalarNode && n.Tag != "!!null" {
		return []string{n.Value}, []*yaml.Node{n}
	}
	if n.Kind != yaml.SequenceNode {
		l.errorf(n, "%s must be a string or a list of strings", what)
		return nil, nil
	}
	var vals []string
	var nodes []*yaml.Node
	for _, c := range n.Content {
		if s, ok := l.str(c, what+" entries"); ok {
			vals = append(vals, s)
			nodes = append(nodes, deref(c))
		}
	}
	return vals, nodes
}

const ruleFields = "name, description, on, when, steps, on_failure, on_cancel"

var ruleNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

func (l *loader) parseRule(root *yaml.Node) *ruleDef {
	if root.Kind != yaml.MappingNode {
		l.errorf(root, "a rule must be a mapping with name, on and steps")
		return nil
	}
	def := &ruleDef{
		file: l.src.name,
		path: l.src.path,
		name: strings.TrimSuffix(filepath.Base(l.src.name), ".yaml"),
		node: root,
	}
	var haveOn, haveSteps bool
	for _, p := range l.pairs(root) {
		switch p.key.Value {
		case "name":
			if s, ok := l.str(p.val, "name"); ok {
				def.name, def.nameNode = s, deref(p.val)
			}
		case "description":
			l.str(p.val, "description")
		case "on":
			haveOn = true
			def.on, def.onNodes = l.strs(p.val, "on")
			if len(def.on) == 0 && deref(p.val).Kind == yaml.SequenceNode {
				l.errorf(p.val, "on must name at least one trigger")
			}
		case "when":
			if s, ok := l.str(p.val, "when"); ok {
				def.when, def.whenNode = s, deref(p.val)
			}
		case "steps":
			haveSteps = true
			def.steps = l.parseSteps(p.val, listSteps)
			if len(def.steps) == 0 && deref(p.val).Kind == yaml.SequenceNode {
				l.errorf(p.val, "steps must list at least one step")
			}
		case "on_failure":
			def.onFailure = l.parseSteps(p.val, listOnFailure)
		case "on_cancel":
			def.onCancel = l.parseSteps(p.val, listOnCancel)
		default:
			l.errorf(p.key, "unknown field `%s` in rule (want %s)", p.key.Value, ruleFields)
		}
	}
	if def.nameNode != nil && !ruleNameRE.MatchString(def.name) {
		l.errorf(def.nameNode, "rule name %q must match [A-Za-z0-9][A-Za-z0-9_.-]*", def.name)
	} else if def.nameNode == nil && !ruleNameRE.MatchString(def.name) {
		l.errorf(root, "rule name %q (from the file name) must match [A-Za-z0-9][A-Za-z0-9_.-]*; set name", def.name)
	}
	if !haveOn {
		l.errorf(root, "rule %s is missing `on` (the triggers it listens to)", def.name)
	}
	if !haveSteps {
		l.errorf(root, "rule %s is missing `steps`", def.name)
	}
	if def.whenNode != nil {
		l.compileWhen(def)
	}
	return def
}

var stepIDRE = regexp.MustCompile(`^[a-z0-9_-]+$`)

func (l *loader) parseSteps(n *yaml.Node, list string) []*stepDef {
	n = deref(n)
	if n.Kind != yaml.SequenceNode {
		l.errorf(n, "%s must be a list of steps", list)
		return nil
	}
	var steps []*stepDef
	for i, c := range n.Content {
		c = deref(c)
		if c.Kind != yaml.MappingNode {
			l.errorf(c, "%s[%d] must be a mapping with id and call", list, i)
			continue
		}
		if s := l.parseStep(c, i, list); s != nil {
			steps = append(steps, s)
		}
	}
	return steps
}

func (l *loader) parseStep(n *yaml.Node, index int, list string) *stepDef {
	s := &stepDef{node: n, list: list}
	ps := l.pairs(n)
	// The id comes first so later messages can name the step.
	for _, p := range ps {
		if p.key.Value == "id" {
			if id, ok := l.str(p.val, "id"); ok {
				s.ID, s.idNode = id, deref(p.val)
				if !stepIDRE.MatchString(id) {
					l.errorf(s.idNode, "step id %q must match [a-z0-9_-]+", id)
				}
			}
		}
	}
	if s.idNode == nil {
		if list == listSteps {
			l.errorf(n, "step %d is missing id", index+1)
			s.ID = fmt.Sprintf("#%d", index+1)
		} else {
			s.ID = fmt.Sprintf("%s_%d", list, index+1)
		}
	}
	var with *yaml.Node
	for _, p := range ps {
		switch p.key.Value {
		case "id":
		case "call":
			s.kinds = append(s.kinds, p.key)
			if call, ok := l.str(p.val, "call"); ok {
				s.Call, s.callNode = call, deref(p.val)
				if !callRE.MatchString(call) {
					l.errorf(s.callNode, "step %s: call must be integration.operation, got %q", s.ID, call)
				}
			}
		case "sleep":
			s.kinds = append(s.kinds, p.key)
			s.Sleep, _ = l.duration(p.val, s, "sleep")
		case "wait_for":
			s.kinds = append(s.kinds, p.key)
			s.waitNode = deref(p.val)
			s.WaitFor = l.parseWaitFor(p.val, s)
		case "needs":
			s.Needs, s.needsNodes = l.strs(p.val, "needs")
		case "with":
			with = p.val
			s.extras = append(s.extras, p.key)
		case "if":
			if src, ok := l.str(p.val, "if"); ok {
				s.If, s.ifNode = src, deref(p.val)
			}
		case "retry":
			s.Retry = l.parseRetry(p.val, s)
			s.extras = append(s.extras, p.key)
		case "timeout":
			s.Timeout, _ = l.duration(p.val, s, "timeout")
			s.extras = append(s.extras, p.key)
		case "continue_on_error":
			s.ContinueOnError = l.boolean(p.val, s, "continue_on_error")
			s.extras = append(s.extras, p.key)
		default:
			l.errorf(p.key, "unknown field `%s` in step %s (want %s)", p.key.Value, s.ID, stepFields)
		}
	}
	l.checkKind(s)
	if with != nil {
		s.withNode = deref(with)
		s.With = l.value(with, "with", 0, s)
	}
	if s.ifNode != nil {
		l.compileCondition(s, s.ifNode, s.If, "if", l.c.cond)
	}
	if s.WaitFor != nil && s.matchNode != nil {
		l.compileCondition(s, s.matchNode, s.WaitFor.Match, "wait_for.match", l.c.match)
	}
	return s
}

var callRE = regexp.MustCompile(`^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$`)

// value converts a `with` tree to plain Go values, compiling templates.
func (l *loader) value(n *yaml.Node, path string, depth int, s *stepDef) any {
	n = deref(n)
	if !l.spend(n) {
		return nil
	}
	if depth > maxDepth {
		l.errorf(n, "step %s: %s is nested more than %d levels deep", s.ID, path, maxDepth)
		return nil
	}
	switch n.Kind {
	case yaml.MappingNode:
		m := map[string]any{}
		for _, p := range l.pairs(n) {
			if hasTemplate(p.key.Value) {
				l.errorf(p.key, "step %s: ${{ }} is not allowed in keys", s.ID)
				continue
			}
			m[p.key.Value] = l.value(p.val, path+"."+p.key.Value, depth+1, s)
			if l.budget <= 0 {
				break
			}
		}
		return m
	case yaml.SequenceNode:
		list := make([]any, 0, len(n.Content))
		for i, c := range n.Content {
			list = append(list, l.value(c, fmt.Sprintf("%s[%d]", path, i), depth+1, s))
			if l.budget <= 0 {
				break
			}
		}
		return list
	case yaml.ScalarNode:
		if n.Tag == "!!str" || n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
			if l.isURLPath(s, path) {
				return l.pathTemplate(n, path, s)
			}
			if hasTemplate(n.Value) {
				l.compileTemplate(n, path, s)
				l.warnJSONString(n, path, s)
			}
			return n.Value
		}
		var v any
		if err := n.Decode(&v); err != nil {
			l.errorf(n, "step %s: %s: %v", s.ID, path, err)
		}
		return v
	}
	return nil
}

// pos maps a rune offset inside scalar n's value to a file position.
func (l *loader) pos(n *yaml.Node, off int) (line, col int) {
	if off < 0 {
		off = 0
	}
	// Line and column of off within the value.
	k, c := 0, 0
	for i, r := range []rune(n.Value) {
		if i == off {
			break
		}
		if r == '\n' {
			k, c = k+1, 0
		} else {
			c++
		}
	}
	switch n.Style {
	case yaml.LiteralStyle, yaml.FoldedStyle:
		// The content starts on the line after the | or > indicator.
		line = n.Line + 1 + k
		indent := 0
		if line-1 < len(l.lines) {
			src := l.lines[line-1]
			indent = len(src) - len(strings.TrimLeft(src, " "))
		}
		return line, indent + 1 + c
	case yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle:
		if k == 0 {
			return n.Line, n.Column + 1 + c
		}
	default:
		if k == 0 {
			return n.Line, n.Column + c
		}
	}
	// Multi-line flow scalars fold lines: point at the scalar.
	return n.Line, n.Column
}

func (l *loader) compileTemplate(n *yaml.Node, path string, s *stepDef) {
	t, err := parseTemplate(n.Value)
	if err != nil {
		var te *templateError
		errors.As(err, &te)
		line, col := l.pos(n, te.offset)
		l.errorAt(line, col, "step %s: %s: %v", s.ID, path, err)
		return
	}
	l.tmpls[n.Value] = t
	for _, sg := range t.segs {
		if sg.expr == "" {
			continue
		}
		prog, err := l.c.tmpl.compile(sg.expr)
		if err != nil {
			line, col := l.pos(n, sg.offset+max(exprOffset(err), 0))
			l.errorAt(line, col, "step %s: %s: %s", s.ID, path, signalOutsideMatch(exprMessage(err)))
			continue
		}
		l.checkVars(prog.Node(), n, sg.offset, fmt.Sprintf("step %s: %s", s.ID, path))
		for _, r := range scan(prog.Node()).steps {
			line, col := l.pos(n, sg.offset+r.offset)
			s.refs = append(s.refs, stepRef{id: r.id, line: line, col: col, path: path})
		}
		for _, off := range scan(prog.Node()).failure {
			if s.list != listOnFailure {
				line, col := l.pos(n, sg.offset+off)
				l.errorAt(line, col, "step %s: %s: failure is only set in on_failure steps", s.ID, path)
			}
		}
	}
}

func (l *loader) compileWhen(def *ruleDef) {
	n := def.whenNode
	prog, err := l.c.cond.compile(def.when)
	if err != nil {
		line, col := l.pos(n, max(exprOffset(err), 0))
		l.errorAt(line, col, "when: %s", signalOutsideMatch(exprMessage(err)))
		return
	}
	l.checkVars(prog.Node(), n, 0, "when")
	sc := scan(prog.Node())
	for _, r := range sc.steps {
		line, col := l.pos(n, r.offset)
		l.errorAt(line, col, "when: steps.%s: no step has run when rules are matched", r.id)
	}
	for _, off := range sc.failure {
		line, col := l.pos(n, off)
		l.errorAt(line, col, "when: failure is only set in on_failure steps")
	}
	def.whenProg = prog
	def.eventType = pinnedType(prog.Node())
}

// knownTriggers formats the trigger list for messages.
func knownTriggers(ts []string) string {
	s := slices.Clone(ts)
	slices.Sort(s)
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}
