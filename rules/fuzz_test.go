package rules

import (
	"errors"
	"testing"
)

// FuzzLoad feeds hostile rule files to the loader: it must return an engine
// or Diagnostics, never panic or hang, and a loaded engine must match and
// render without panicking.
func FuzzLoad(f *testing.F) {
	f.Add([]byte("name: r\non: [t]\nwhen: payload.x > 1\nsteps:\n  - id: a\n    call: p.send\n    with: {body: \"${{ payload }} ${{ json(payload) }}\"}\n"))
	f.Add([]byte("name: r\non: t\nsteps:\n  - {id: a, call: p.send, with: {b: \"${{ reduce(1..64, #acc + #acc, 'xx') }}\"}}\n"))
	f.Add([]byte("a: &a [x, x, x, x]\nb: &b [*a, *a, *a, *a]\nc: [*b, *b, *b, *b]\n"))
	f.Add([]byte("on: [t]\nsteps: [{id: a, call: p.send, with: [[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]}]\n"))
	f.Add([]byte("on: [t]\nwhen: ((((((((((true))))))))))\nsteps: [{id: a, call: p.send, needs: [a]}]\n"))
	f.Add([]byte("on: [t]\nsteps:\n  - {id: a, sleep: 1.5d, if: payload.x > 1}\n  - {id: b, needs: [a], wait_for: {signal: s, timeout: 3d, match: signal.x == steps.a.output}}\n  - {id: c, call: p.send, needs: [b], if: steps.b.timed_out, retry: {initial: 1s, backoff: 2}, timeout: 1m, continue_on_error: true}\n"))
	fuzzOpts := Options{Vars: map[string]any{"x": 1}}
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := LoadFiles(map[string][]byte{"f.yaml": data}, fuzzOpts)
		if err != nil {
			var d Diagnostics
			if !errors.As(err, &d) || len(d) == 0 || e != nil {
				t.Fatalf("error %T %v with engine %v", err, err, e)
			}
			return
		}
		in := Input{Event: Event{Trigger: "t", Type: "x"}, Payload: map[string]any{"x": 2.0, "s": "str"}}
		p, err := e.Match(in)
		if err != nil {
			return
		}
		for _, r := range p.Rules {
			for _, s := range append(r.Steps, r.OnFailure...) {
				scope := Scope{Input: in, Failure: &Failure{Step: "a", Message: "m"}}
				_, _ = e.Render(s.With, scope)
				if s.If != "" {
					_, _ = e.EvalBool(s.If, scope)
				}
				if s.WaitFor != nil && s.WaitFor.Match != "" {
					_, _ = e.EvalMatch(s.WaitFor.Match, scope, map[string]any{"x": 1.0})
				}
			}
		}
	})
}
