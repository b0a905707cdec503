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
				_, _ = e.Render(s.With, Scope{Input: in, Failure: &Failure{Step: "a", Message: "m"}})
			}
		}
	})
}
