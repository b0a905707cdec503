package rules

import (
	"fmt"
	"io"
	"reflect"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/builtin"
	"github.com/expr-lang/expr/vm/runtime"
)

// Budgets. Rules are written by integrators, but the data they run on comes
// from whoever can post to a trigger: a 300 KB payload must not make one
// expression run for seconds or build hundreds of megabytes. So every
// evaluation (one `when`, `if`, `match` or ${{ }}) runs with
//   - a deadline, checked on every iteration of map/filter/all/… and in
//     every function that does work in proportion to its input;
//   - a byte budget that every string, JSON text, split list and `+` the
//     expression builds is charged against, before it is built;
//   - expr's memory budget (elements of ranges, lists and maps it builds);
//
// and every rendered value must fit in maxRendered. Exceeding any of them is
// a *LimitError, which fails the step without retries; the evaluation has
// stopped by then, so the worker goes on serving other events.
const (
	// evalTimeout bounds one evaluation's run time.
	evalTimeout = time.Second
	// evalBytes bounds the bytes one evaluation may build.
	evalBytes = 16 << 20
	// maxRendered bounds one rendered value, as text or as JSON.
	maxRendered = 1 << 20
	// tickEvery: the clock is read on every tickEvery-th loop iteration.
	tickEvery = 64
)

// limits are an Engine's budgets; tests shorten them.
type limits struct {
	timeout  time.Duration
	bytes    int
	rendered int
}

var defaultLimits = limits{timeout: evalTimeout, bytes: evalBytes, rendered: maxRendered}

// LimitError is an evaluation that exceeded a budget: its deadline, its
// byte or memory budget, or the size of a rendered value. It is never worth
// retrying: the same data hits the same limit.
type LimitError struct {
	Msg string
}

func (e *LimitError) Error() string { return e.Msg }

// budget is one evaluation's: the expression reaches it as the hidden
// variable budgetVar, which the compiler passes to every budgeted function.
type budget struct {
	deadline time.Time
	timeout  time.Duration
	left     int
	bytes    int
	ticks    uint
	err      *LimitError // the first limit hit; the evaluation's error
}

func newBudget(l limits) budget {
	if l == (limits{}) {
		l = defaultLimits
	}
	return budget{deadline: time.Now().Add(l.timeout), timeout: l.timeout, left: l.bytes, bytes: l.bytes}
}

// fail records the first limit hit and returns it.
func (b *budget) fail(format string, args ...any) error {
	if b.err == nil {
		b.err = &LimitError{Msg: fmt.Sprintf(format, args...)}
	}
	return b.err
}

// check fails once the deadline has passed.
func (b *budget) check() error {
	if b.err != nil {
		return b.err
	}
	if time.Now().After(b.deadline) {
		return b.fail("evaluation ran longer than %s, the limit for one expression (docs/rules.md#limits)", b.timeout)
	}
	return nil
}

// tick is one loop iteration.
func (b *budget) tick() error {
	b.ticks++
	if b.ticks%tickEvery == 0 {
		return b.check()
	}
	return nil
}

// spend charges n bytes, before they are built.
func (b *budget) spend(n int) error {
	if n < 0 {
		n = 0
	}
	b.left -= n
	if b.left < 0 {
		return b.fail("evaluation built more than %s of text, the limit for one expression (docs/rules.md#limits)", sizeText(b.bytes))
	}
	return b.check()
}

// sizeText is n bytes as people write it.
func sizeText(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// writer is an io.Writer that charges the budget as it goes and stops when
// it is spent, so JSON or %v of a huge structure is never built whole.
type writer struct {
	b   *budget
	buf strings.Builder
}

func (w *writer) Write(p []byte) (int, error) {
	if err := w.b.spend(len(p)); err != nil {
		return 0, err
	}
	return w.buf.Write(p)
}

// Hidden names the compiler adds; a rule cannot declare them (expr forbids
// redeclaring functions) and has no use for them.
const (
	budgetVar = "_hookflow_budget"
	tickFunc  = "_hookflow_tick"
	addFunc   = "_hookflow_add"
	addSFunc  = "_hookflow_add_s"
)

var budgetType = reflect.TypeOf((*budget)(nil))

// budgeted are the names of the functions that take the budget as their
// first argument (name → true); the compiler passes it, rules call them
// without. A sync.Map: engines are built concurrently (reloads, tests).
var budgeted sync.Map

// budgetedFunc registers a function that takes the evaluation's budget as
// its first argument; the compiler passes it, rules call it without.
func budgetedFunc(name string, fn func(b *budget, p []any) (any, error), types ...any) expr.Option {
	budgeted.Store(name, true)
	return expr.Function(name, func(p ...any) (any, error) {
		return fn(p[0].(*budget), p[1:])
	}, types...)
}

// chargeText charges the text of the lists and maps among args (as %v
// writes them) before a formatter builds it whole.
func chargeText(b *budget, args []any) error {
	for _, a := range args {
		switch reflect.ValueOf(a).Kind() {
		case reflect.Map, reflect.Slice, reflect.Array, reflect.Struct:
			if err := writeV(&chargeWriter{b: b}, a); err != nil {
				return err
			}
		}
	}
	return nil
}

// chargeWriter charges what is written and keeps nothing.
type chargeWriter struct{ b *budget }

func (w *chargeWriter) Write(p []byte) (int, error) {
	if err := w.b.spend(len(p)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// budgetFuncs are the budget's functions and the builtins it replaces: each
// charges what it will build before building it, and checks the clock.
func budgetFuncs() []expr.Option {
	var opts []expr.Option
	def := func(name string, fn func(b *budget, p []any) (any, error), types ...any) {
		opts = append(opts, budgetedFunc(name, fn, types...))
	}
	// wrap replaces builtin name, keeping its signatures with the budget first.
	wrap := func(name string, fn func(b *budget, p []any, orig func(...any) (any, error)) (any, error)) {
		f := builtin.Builtins[builtin.Index[name]]
		orig := f.Func
		if orig == nil && f.Fast != nil {
			fast := f.Fast
			orig = func(p ...any) (any, error) { return fast(p[0]), nil }
		}
		var types []any
		for _, t := range f.Types {
			in := []reflect.Type{budgetType}
			for i := range t.NumIn() {
				in = append(in, t.In(i))
			}
			var out []reflect.Type
			for i := range t.NumOut() {
				out = append(out, t.Out(i))
			}
			types = append(types, reflect.New(reflect.FuncOf(in, out, t.IsVariadic())).Interface())
		}
		def(name, func(b *budget, p []any) (any, error) { return fn(b, p, orig) }, types...)
	}

	def(tickFunc, func(b *budget, _ []any) (any, error) {
		return true, b.tick()
	}, new(func(*budget) bool))
	def(addFunc, func(b *budget, p []any) (any, error) {
		return add(b, p[0], p[1])
	}, new(func(*budget, any, any) any))
	def(addSFunc, func(b *budget, p []any) (any, error) {
		return add(b, p[0], p[1])
	}, new(func(*budget, string, string) string))

	// Output as long as the input, or a fixed factor of it.
	for _, name := range []string{"upper", "lower", "toBase64", "fromBase64"} {
		wrap(name, func(b *budget, p []any, orig func(...any) (any, error)) (any, error) {
			s, _ := p[0].(string)
			if err := b.spend(len(s) * 4 / 3); err != nil {
				return nil, err
			}
			return orig(p...)
		})
	}
	wrap("join", func(b *budget, p []any, orig func(...any) (any, error)) (any, error) {
		glue := ""
		if len(p) == 2 {
			glue, _ = p[1].(string)
		}
		n := 0
		switch list := p[0].(type) {
		case []string:
			for _, s := range list {
				n += len(s) + len(glue)
			}
		case []any:
			for _, e := range list {
				s, _ := e.(string)
				n += len(s) + len(glue)
			}
		}
		if err := b.spend(n); err != nil {
			return nil, err
		}
		return orig(p...)
	})
	wrap("replace", func(b *budget, p []any, orig func(...any) (any, error)) (any, error) {
		s, _ := p[0].(string)
		old, _ := p[1].(string)
		repl, _ := p[2].(string)
		count := strings.Count(s, old) // for "" that is runes + 1
		if len(p) == 4 {
			if k := runtime.ToInt(p[3]); k >= 0 && k < count {
				count = k
			}
		}
		if err := b.spend(len(s) + count*max(0, len(repl)-len(old))); err != nil {
			return nil, err
		}
		return orig(p...)
	})
	for _, name := range []string{"split", "splitAfter"} {
		wrap(name, func(b *budget, p []any, orig func(...any) (any, error)) (any, error) {
			s, _ := p[0].(string)
			sep, _ := p[1].(string)
			// A list of n strings costs n string headers.
			n := strings.Count(s, sep) + 1
			if sep == "" {
				n = utf8.RuneCountInString(s)
			}
			if err := b.spend(16 * n); err != nil {
				return nil, err
			}
			return orig(p...)
		})
	}
	wrap("string", func(b *budget, p []any, _ func(...any) (any, error)) (any, error) {
		w := &writer{b: b}
		if err := writeV(w, p[0]); err != nil {
			return nil, err
		}
		return w.buf.String(), nil
	})
	wrap("toJSON", func(b *budget, p []any, _ func(...any) (any, error)) (any, error) {
		return encodeJSON(b, p[0], "  ", true) // as expr's toJSON: HTML escaped
	})
	def("uniq", func(b *budget, p []any) (any, error) {
		return uniq(b, p[0])
	}, new(func(*budget, any) []any))
	return opts
}

// add is `+` where a string may come out: strings are charged first.
func add(b *budget, x, y any) (any, error) {
	if s, ok := x.(string); ok {
		if t, ok := y.(string); ok {
			if err := b.spend(len(s) + len(t)); err != nil {
				return nil, err
			}
			return s + t, nil
		}
	}
	if err := b.tick(); err != nil {
		return nil, err
	}
	return runtime.Add(x, y), nil
}

// uniq keeps the first of equal elements, in order, in linear time for
// scalars (expr's own compares every pair). Lists and maps, which cannot be
// map keys, are compared one by one, on the clock.
func uniq(b *budget, v any) (any, error) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		return nil, fmt.Errorf("cannot uniq %s", rv.Kind())
	}
	out := []any{}
	seen := map[any]bool{}
	var complex []any
	for i := range rv.Len() {
		e := rv.Index(i).Interface()
		key, scalar := uniqKey(e)
		if scalar {
			if seen[key] {
				continue
			}
			seen[key] = true
			out = append(out, e)
			continue
		}
		dup := false
		for _, c := range complex {
			if err := b.tick(); err != nil {
				return nil, err
			}
			if runtime.Equal(e, c) {
				dup = true
				break
			}
		}
		if !dup {
			complex = append(complex, e)
			out = append(out, e)
		}
	}
	return out, nil
}

// uniqKey is a map key under which runtime.Equal's equal scalars meet:
// numbers by value (1 == 1.0), strings, bools, nil and times.
func uniqKey(v any) (any, bool) {
	switch x := v.(type) {
	case nil, string, bool:
		return x, true
	case time.Time:
		return x.UnixNano(), true
	case time.Duration:
		return struct{ d time.Duration }{x}, true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return runtime.ToFloat64(v), true
	}
	return nil, false
}

// budgetPatch is the part of compiling that runs before type checking: it
// passes the budget to every budgeted function and puts a tick at the start
// of every predicate (map, filter, all, …), where loops happen.
type budgetPatch struct{}

func (budgetPatch) Visit(node *ast.Node) {
	switch n := (*node).(type) {
	case *ast.CallNode:
		if id, ok := n.Callee.(*ast.IdentifierNode); ok && isBudgeted(id.Value) && !passesBudget(n) {
			arg := &ast.IdentifierNode{Value: budgetVar}
			arg.SetLocation(n.Location())
			n.Arguments = append([]ast.Node{arg}, n.Arguments...)
		}
	case *ast.PredicateNode:
		if s, ok := n.Node.(*ast.SequenceNode); ok && isTick(s.Nodes[0]) {
			return
		}
		tick := &ast.CallNode{Callee: &ast.IdentifierNode{Value: tickFunc}, Arguments: []ast.Node{&ast.IdentifierNode{Value: budgetVar}}}
		tick.SetLocation(n.Location())
		seq := &ast.SequenceNode{Nodes: []ast.Node{tick, n.Node}}
		seq.SetLocation(n.Node.Location())
		n.Node = seq
	}
}

func isBudgeted(name string) bool {
	_, ok := budgeted.Load(name)
	return ok
}

func passesBudget(n *ast.CallNode) bool {
	if len(n.Arguments) == 0 {
		return false
	}
	id, ok := n.Arguments[0].(*ast.IdentifierNode)
	return ok && id.Value == budgetVar
}

func isTick(n ast.Node) bool {
	c, ok := n.(*ast.CallNode)
	if !ok {
		return false
	}
	id, ok := c.Callee.(*ast.IdentifierNode)
	return ok && id.Value == tickFunc
}

// addPatch runs after type checking, where the types are known: a `+` that
// may join strings (typed string, or unknown until it runs) becomes a call
// that charges the budget. A `+` of known numbers, times or durations is
// left as it is.
type addPatch struct{ changed bool }

func (p *addPatch) Visit(node *ast.Node) {
	bin, ok := (*node).(*ast.BinaryNode)
	if !ok || bin.Operator != "+" {
		return
	}
	fn := addFunc
	switch t := bin.Type(); {
	case t == nil || t.Kind() == reflect.Interface:
	case t.Kind() == reflect.String:
		fn = addSFunc
	default:
		return
	}
	arg := &ast.IdentifierNode{Value: budgetVar}
	arg.SetLocation(bin.Location())
	call := &ast.CallNode{Callee: &ast.IdentifierNode{Value: fn}, Arguments: []ast.Node{arg, bin.Left, bin.Right}}
	call.SetLocation(bin.Location())
	*node = call
	p.changed = true
}

// encodeJSON is compact (indent "") or indented JSON, charged to b as it is
// written.
func encodeJSON(b *budget, v any, indent string, html bool) (string, error) {
	w := &writer{b: b}
	if err := writeJSON(w, v, indent, html); err != nil {
		return "", err
	}
	return w.buf.String(), nil
}

// cappedBuilder collects at most n bytes into b (nil: only counts) and then
// fails with errRendered.
type cappedBuilder struct {
	b *strings.Builder
	n int
}

func (w *cappedBuilder) Write(p []byte) (int, error) {
	w.n -= len(p)
	if w.n < 0 {
		return 0, errRendered
	}
	if w.b != nil {
		w.b.Write(p)
	}
	return len(p), nil
}

var errRendered = &LimitError{Msg: "the rendered value is larger than " + sizeText(maxRendered) + ", the limit for one value (docs/rules.md#limits)"}

// fits reports whether v, as JSON, takes at most n bytes, without building it.
func fits(v any, n int) bool {
	return writeJSON(&cappedBuilder{n: n}, v, "", false) == nil
}

var _ io.Writer = (*cappedBuilder)(nil)
