package rules

import (
	"fmt"
	"strings"
)

// EvalBool evaluates a step's `if` (an expr source written without ${{ }})
// against scope. Programs are cached by source text, as Render's are, so an
// `if` recorded by an older rules version compiles once on first use. A
// result of nil (a missing field) is false; any other non-bool is an error.
func (e *Engine) EvalBool(src string, scope Scope) (bool, error) {
	env := e.envFor(scope.Input, scope.Steps, scope.Failure)
	return evalBool(e.cond, src, &env)
}

// EvalMatch evaluates a wait_for.match against scope, where `signal` is the
// received signal's payload: true means this signal ends the wait.
func (e *Engine) EvalMatch(src string, scope Scope, signal any) (bool, error) {
	env := e.envFor(scope.Input, scope.Steps, scope.Failure)
	menv := matchEnv{
		Payload: env.Payload,
		Headers: env.Headers,
		Event:   env.Event,
		Steps:   env.Steps,
		Vars:    env.Vars,
		Failure: env.Failure,
		Signal:  signal,
		limits:  env.limits,
	}
	return evalBool(e.match, src, &menv)
}

func evalBool(c *compiler, src string, env any) (bool, error) {
	prog, err := c.compile(src)
	if err != nil {
		return false, fmt.Errorf("%s: %s", src, signalOutsideMatch(exprMessage(err)))
	}
	out, err := run(prog, env)
	if err != nil {
		// AsBool's run-time cast: say it the way the load-time check does.
		if t, ok := strings.CutPrefix(err.Error(), "invalid operation: bool("); ok {
			return false, fmt.Errorf("%s: expected bool, got %s", src, strings.TrimSuffix(t, ")"))
		}
		return false, fmt.Errorf("%s: %w", src, err)
	}
	switch v := out.(type) {
	case bool:
		return v, nil
	case nil:
		return false, nil
	default:
		return false, fmt.Errorf("%s: expected bool, got %T", src, out)
	}
}
