package rules

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/checker"
	exprcompiler "github.com/expr-lang/expr/compiler"
	"github.com/expr-lang/expr/conf"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/optimizer"
	"github.com/expr-lang/expr/vm"
)

const (
	// maxNodes bounds the size of one expression's syntax tree.
	maxNodes = 2000
	// memoryBudget bounds what one evaluation may allocate, in expr's units
	// (roughly elements of ranges, arrays and maps it builds, and iterations
	// of map, filter and the like). Bytes and time have budgets of their own
	// (budget.go).
	memoryBudget = 1_000_000
	// maxCached bounds the program cache, which otherwise grows with every
	// distinct template an old plan brings back.
	maxCached = 100_000
)

// compiler compiles expressions against one typed environment once and
// caches the programs by source text; programs are safe for concurrent use.
type compiler struct {
	opts  []expr.Option
	cache sync.Map // source → *compiled
	size  atomic.Int64
}

type compiled struct {
	prog *vm.Program
	err  error
}

// newCompiler compiles against env (exprEnv or matchEnv); extra options
// (AsBool for conditions) apply to every program it compiles.
func newCompiler(env any, extra ...expr.Option) *compiler {
	opts := []expr.Option{
		expr.Env(env),
		expr.MaxNodes(maxNodes),
		// repeat allocates len(s)*n bytes before the budget is checked.
		expr.DisableBuiltin("repeat"),
		// now() would make rendering depend on when it runs: a retry or a
		// rule test would see another value. event.received_at is the time.
		expr.DisableBuiltin("now"),
		expr.Patch(budgetPatch{}),
	}
	opts = append(opts, helperFuncs()...)
	opts = append(opts, numberFuncs()...)
	return &compiler{opts: append(opts, extra...)}
}

// compilers are the three kinds of expression a rule holds: templates (any
// type), conditions (`when`, `if`: bool) and wait_for.match (bool, and the
// only place `signal` exists).
type compilers struct {
	tmpl, cond, match *compiler
}

func newCompilers() compilers {
	return compilers{
		tmpl:  newCompiler(exprEnv{}),
		cond:  newCompiler(exprEnv{}, expr.AsBool()),
		match: newCompiler(matchEnv{}, expr.AsBool()),
	}
}

// compile returns the cached program for src, compiling it on first use.
func (c *compiler) compile(src string) (*vm.Program, error) {
	if v, ok := c.cache.Load(src); ok {
		e := v.(*compiled)
		return e.prog, e.err
	}
	prog, err := compileSafe(src, c.opts)
	if c.size.Load() < maxCached {
		if _, loaded := c.cache.LoadOrStore(src, &compiled{prog, err}); !loaded {
			c.size.Add(1)
		}
	}
	return prog, err
}

// compileSafe is expr.Compile with one more step between type checking and
// code generation: addPatch, which needs the checked types. A panic inside
// expr is an error.
func compileSafe(src string, opts []expr.Option) (prog *vm.Program, err error) {
	defer func() {
		if r := recover(); r != nil {
			prog, err = nil, fmt.Errorf("compile: %v", r)
		}
	}()
	config := conf.CreateNew()
	for _, op := range opts {
		op(config)
	}
	for name := range config.Disabled {
		delete(config.Builtins, name)
	}
	config.Check()
	tree, err := checker.ParseCheck(src, config)
	if err != nil {
		return nil, err
	}
	add := &addPatch{}
	ast.Walk(&tree.Node, add)
	if add.changed {
		if _, err := checker.Check(tree, config); err != nil {
			return nil, err
		}
	}
	if config.Optimize {
		if err := optimizer.Optimize(&tree.Node, config); err != nil {
			var fe *file.Error
			if errors.As(err, &fe) {
				return nil, fe.Bind(tree.Source)
			}
			return nil, err
		}
	}
	return exprcompiler.Compile(tree, config)
}

var vmPool = sync.Pool{New: func() any { return &vm.VM{MemoryBudget: memoryBudget} }}

// run evaluates prog against env (*exprEnv or *matchEnv) within a fresh
// budget of the env's limits; a runtime error or panic comes back as an
// error, a budget exceeded as a *LimitError.
func run(prog *vm.Program, env any) (out any, err error) {
	// The budget lives in the env, which is on the heap already: no
	// allocation per evaluation.
	var b *budget
	switch e := env.(type) {
	case *exprEnv:
		e.budget = newBudget(e.limits)
		b = &e.budget
		e.Budget = b
	case *matchEnv:
		e.budget = newBudget(e.limits)
		b = &e.budget
		e.Budget = b
	default:
		nb := newBudget(defaultLimits)
		b = &nb
	}
	m := vmPool.Get().(*vm.VM)
	defer func() {
		if r := recover(); r != nil {
			// A panic may leave the VM in any state: do not reuse it.
			out, err = nil, fmt.Errorf("%v", r)
			return
		}
		vmPool.Put(m)
	}()
	out, err = m.Run(prog, env)
	switch {
	case b.err != nil:
		return nil, b.err
	case err != nil && exprMessage(err) == "memory budget exceeded":
		return nil, &LimitError{Msg: fmt.Sprintf("evaluation built more than %d elements of lists, maps and ranges or iterated as often, the limit for one expression (docs/rules.md#limits)", memoryBudget)}
	case err != nil:
		return nil, errors.New(exprMessage(err))
	}
	return out, nil
}

// exprMessage is expr's message without its multi-line snippet: callers
// already show the expression and, at load time, its position.
func exprMessage(err error) string {
	var fe *file.Error
	if errors.As(err, &fe) {
		return authorMessage(fe.Message)
	}
	return authorMessage(err.Error())
}

// exprOffset is the rune offset of an expr error inside its source, or -1.
func exprOffset(err error) int {
	var fe *file.Error
	if errors.As(err, &fe) {
		return fe.From
	}
	return -1
}

// signalOutsideMatch rewrites expr's "unknown name signal" (and "now")
// into what to do.
func signalOutsideMatch(msg string) string {
	switch msg {
	case "unknown name signal":
		return "signal is only set in wait_for.match"
	case "unknown name now":
		return "now() is not available: a rule gives the same result on every retry and in hookflow test; use event.received_at"
	}
	return msg
}

// refs is what an expression reads that load-time checks care about.
type refs struct {
	steps   []ref // steps.<id>
	failure []int // rune offsets of `failure`
}

type ref struct {
	id     string
	offset int
}

func (r *refs) Visit(node *ast.Node) {
	switch n := (*node).(type) {
	case *ast.MemberNode:
		id, ok := n.Node.(*ast.IdentifierNode)
		prop, isStr := n.Property.(*ast.StringNode)
		if ok && isStr && id.Value == "steps" {
			r.steps = append(r.steps, ref{prop.Value, id.Location().From})
		}
	case *ast.IdentifierNode:
		if n.Value == "failure" {
			r.failure = append(r.failure, n.Location().From)
		}
	}
}

func scan(root ast.Node) refs {
	var r refs
	ast.Walk(&root, &r)
	return r
}

// pinnedType is X when a `when` is `event.type == "X"` or a conjunction
// (&&) containing it, so Match can index the rule by event type.
func pinnedType(node ast.Node) string {
	b, ok := node.(*ast.BinaryNode)
	if !ok {
		return ""
	}
	switch b.Operator {
	case "&&", "and":
		if t := pinnedType(b.Left); t != "" {
			return t
		}
		return pinnedType(b.Right)
	case "==":
		if isEventType(b.Left) {
			return stringConst(b.Right)
		}
		if isEventType(b.Right) {
			return stringConst(b.Left)
		}
	}
	return ""
}

func isEventType(n ast.Node) bool {
	m, ok := n.(*ast.MemberNode)
	if !ok || m.Optional {
		return false
	}
	id, ok := m.Node.(*ast.IdentifierNode)
	prop, isStr := m.Property.(*ast.StringNode)
	return ok && isStr && id.Value == "event" && prop.Value == "type"
}

func stringConst(n ast.Node) string {
	if s, ok := n.(*ast.StringNode); ok {
		return s.Value
	}
	return ""
}
