package rules

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// hostileScope is a payload of the size the security review used: a 150 KB
// string and a list of 2,000 distinct items.
func hostileScope() Scope {
	items := make([]any, 2000)
	for i := range items {
		items[i] = float64(i)
	}
	return Scope{Input: Input{
		Event:   Event{Trigger: "t", Type: "x"},
		Payload: map[string]any{"s": strings.Repeat("x", 150<<10), "items": items, "small": "ab<c"},
	}}
}

// budgetEngine has a short deadline, so a test of it takes no time.
func budgetEngine(t testing.TB, when string) *Engine {
	t.Helper()
	e := mustLoad(t, map[string]string{"r.yaml": ruleSrc("r", "[t]", when)})
	e.limits = limits{timeout: 50 * time.Millisecond, bytes: evalBytes, rendered: maxRendered}
	return e
}

// renderWithin renders tmpl, failing the test if it has not returned long
// after its deadline: an evaluation that runs on is the defect.
func renderWithin(t *testing.T, e *Engine, tmpl string, scope Scope) (any, error) {
	t.Helper()
	type result struct {
		v   any
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := e.Render(tmpl, scope)
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-time.After(2 * time.Minute):
		t.Fatalf("%s still running 2 minutes later", tmpl)
		return nil, nil
	}
}

// Each of these ran for seconds or built hundreds of megabytes from a small
// payload; now each stops at a budget with a *LimitError.
func TestBudgetsStopHostileExpressions(t *testing.T) {
	// The deadline is short only where it is the limit under test; the
	// byte limits must be hit first even on a loaded machine.
	fast := budgetEngine(t, "")
	roomy := budgetEngine(t, "")
	roomy.limits.timeout = time.Minute
	tests := []struct{ name, tmpl, want string }{
		{"join of a mapped payload", `${{ len(join(map(1..3500, payload.s), ",")) }}`, "evaluation built more than 16 MiB of text"},
		{"nested loops of hashing", `${{ all(payload.items, all(payload.items, sha256(payload.s) != "")) }}`, "evaluation ran longer than 50ms"},
		{"doubling with let", `${{ len(let a = payload.s + payload.s; let b = a + a; let c = b + b; let d = c + c; let e = d + d; let f = e + e; let g = f + f; f + g) }}`, "evaluation built more than 16 MiB"},
		{"a tree of +", "${{ len(" + strings.Repeat("payload.s + ", 200) + "payload.s) }}", "evaluation built more than 16 MiB"},
		{"replace with an empty needle", `${{ len(replace(payload.s, "", payload.s)) }}`, "evaluation built more than 16 MiB"},
		{"json of many references", `${{ len(json(map(1..1000, payload))) }}`, "evaluation built more than 16 MiB"},
		{"toJSON of many references", `${{ len(toJSON(map(1..1000, payload))) }}`, "evaluation built more than 16 MiB"},
		{"string of many references", `${{ len(string(map(1..1000, payload))) }}`, "evaluation built more than 16 MiB"},
		{"upper in a loop", `${{ len(map(1..1000, upper(payload.s))) }}`, "evaluation built more than 16 MiB"},
		{"split into runes, many times", `${{ len(map(1..200, split(payload.s, ""))) }}`, "evaluation built more than 16 MiB"},
		{"format of many references", `${{ len(format("%v", map(1..1000, payload))) }}`, "evaluation built more than 16 MiB"},
		{"rendered value too large", `${{ payload.s + payload.s + payload.s + payload.s + payload.s + payload.s + payload.s + payload.s }}`, "the rendered value is larger than 1 MiB"},
		{"rendered list too large", `${{ map(1..10, payload) }}`, "the rendered value is larger than 1 MiB"},
		{"rendered in a longer string", `x ${{ map(1..10, payload) }}`, "the rendered value is larger than 1 MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := roomy
			if strings.Contains(tt.want, "ran longer") {
				e = fast
			}
			_, err := renderWithin(t, e, tt.tmpl, hostileScope())
			var le *LimitError
			if !errors.As(err, &le) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want a *LimitError saying %q", err, tt.want)
			}
			if !strings.Contains(err.Error(), "with: ${{") {
				t.Errorf("err = %v, does not name the field and expression", err)
			}
		})
	}
}

// uniq was quadratic; it is linear now and keeps expr's meaning: the first
// of equal elements, in order, numbers equal across int and float.
func TestUniqIsLinearAndKeepsOrder(t *testing.T) {
	e := budgetEngine(t, "")
	scope := hostileScope()
	items := make([]any, 200_000)
	for i := range items {
		items[i] = float64(i)
	}
	scope.Payload.(map[string]any)["items"] = items
	got, err := renderWithin(t, e, "${{ len(uniq(payload.items)) }}", scope)
	if err != nil || got != 200_000 {
		t.Fatalf("len(uniq(200k distinct)) = %v, %v", got, err)
	}
	got, err = e.Render(`${{ uniq([3, "a", 3.0, 1, "a", [1], [1], {"k": 1}, {"k": 1}, nil, nil, true]) }}`, renderScope())
	want := []any{3, "a", 1, []any{1}, map[string]any{"k": 1}, nil, true}
	if err != nil || !deepEqualJSON(got, want) {
		t.Fatalf("uniq = %#v, %v; want %#v", got, err, want)
	}
}

// Conditions and matching have the same budgets.
func TestBudgetsInConditions(t *testing.T) {
	e := budgetEngine(t, `len(join(map(1..3500, payload.s), ",")) > 0`)
	var le *LimitError
	// A failing when fails its rule alone: the plan carries the error.
	plan, err := e.Match(hostileScope().Input)
	if err != nil || len(plan.Rules) != 1 || !strings.Contains(plan.Rules[0].Error, "when: evaluation built more than 16 MiB") || len(plan.Rules[0].Steps) != 0 {
		t.Errorf("Match: %v, %+v; want rule r failed by its byte budget", err, plan.Rules)
	}
	if _, err := e.EvalBool(`all(payload.items, all(payload.items, sha256(payload.s) != ""))`, hostileScope()); !errors.As(err, &le) {
		t.Errorf("EvalBool: err = %v, want a *LimitError", err)
	}
	if _, err := e.EvalMatch(`len(signal.s + signal.s) > 0 && len(replace(payload.s, "", payload.s)) > 0`, hostileScope(), map[string]any{"s": "x"}); !errors.As(err, &le) {
		t.Errorf("EvalMatch: err = %v, want a *LimitError", err)
	}
}

// While one evaluation runs into its deadline, others on the same engine go
// on and give their results.
func TestHostileEvaluationDoesNotBlockOthers(t *testing.T) {
	// The default deadline: a benign evaluation on a loaded machine must not
	// come near it, the hostile one must reach it.
	e := mustLoad(t, map[string]string{"r.yaml": ruleSrc("r", "[t]", "")})
	var wg sync.WaitGroup
	hostile := make(chan error, 1)
	wg.Go(func() {
		_, err := e.Render(`${{ all(payload.items, all(payload.items, sha256(payload.s) != "")) }}`, hostileScope())
		hostile <- err
	})
	for range 4 {
		wg.Go(func() {
			for range 50 {
				if got, err := e.Render("${{ lower(payload.small) + json(payload.small) }}", hostileScope()); err != nil || got != `ab<c"ab<c"` {
					t.Errorf("benign render = %v, %v", got, err)
					return
				}
			}
		})
	}
	wg.Wait()
	var le *LimitError
	if err := <-hostile; !errors.As(err, &le) {
		t.Errorf("hostile render: err = %v, want a *LimitError", err)
	}
}

// Ordinary expressions give what they gave before the budgets.
func TestBudgetedFunctionsKeepTheirMeaning(t *testing.T) {
	e := mustLoad(t, map[string]string{"r.yaml": ruleSrc("r", "[t]", "")})
	tests := []struct {
		tmpl string
		want any
	}{
		{`${{ join(["a", "b"], "-") }}`, "a-b"},
		{`${{ join(split("a,b,c", ",")) }}`, "abc"},
		{`${{ replace("aXbX", "X", "-") }}`, "a-b-"},
		{`${{ replace("aXbX", "X", "-", 1) }}`, "a-bX"},
		{`${{ upper("ab") + lower("CD") }}`, "ABcd"},
		{`${{ toBase64("hi") }}`, "aGk="},
		{`${{ fromBase64("aGk=") }}`, "hi"},
		{`${{ splitAfter("a,b", ",") }}`, []any{"a,", "b"}},
		{`${{ string(1.5) }}`, "1.5"},
		{`${{ string([1, "a"]) }}`, "[1 a]"},
		{`${{ toJSON({"b": 1, "a": "<x>"}) }}`, "{\n  \"a\": \"\\u003cx\\u003e\",\n  \"b\": 1\n}"},
		{`${{ toJSON([]) }}`, "[]"},
		{`${{ json({"b": [1, 2], "a": "<x>"}) }}`, `{"a":"<x>","b":[1,2]}`},
		{`${{ json(event) }}`, `{"id":"evt_1","type":"orders/paid","trigger":"shop-orders","received_at":"2026-03-01T12:00:00Z"}`},
		{`${{ 1 + 2 }}`, 3},
		{`${{ payload.count + 1 }}`, 4.0},
		{`${{ "a" + "b" }}`, "ab"},
		{`${{ payload.name + "!" }}`, "#1001!"},
		{`${{ reduce(1..4, #acc + #, 0) }}`, 10},
		{`${{ format_time(event.received_at, "DateOnly") }}`, "2026-03-01"},
		{`${{ len(filter(payload.tags, # == "a")) }}`, 1},
		{`${{ map([1, 2], # * 2) }}`, []any{2, 4}},
	}
	for _, tt := range tests {
		got, err := e.Render(tt.tmpl, renderScope())
		if err != nil || !deepEqualJSON(got, tt.want) {
			t.Errorf("%s = %#v, %v; want %#v", tt.tmpl, got, err, tt.want)
		}
	}
	// Load-time type errors are still load-time errors.
	for src, want := range map[string]string{
		`${{ event.id + 1 }}`:        "invalid operation: + (mismatched types string and int)",
		`${{ lower(1) }}`:            "cannot use int as argument",
		`${{ join("a") }}`:           "cannot use string as argument",
		`${{ now() }}`:               "now() is not available",
		`${{ _hookflow_tick(nil) }}`: "",
	} {
		rule := "name: r\non: t\nsteps:\n  - id: a\n    call: partner.send\n    with: {body: \"" + strings.ReplaceAll(src, `"`, `\"`) + "\"}\n"
		_, err := LoadFiles(map[string][]byte{"r.yaml": []byte(rule)}, Options{})
		if want == "" {
			continue // hidden names: only that loading does not panic
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: load err = %v, want %q", src, err, want)
		}
	}
}

// deepEqualJSON compares as JSON, so 3 and 3.0 are equal.
func deepEqualJSON(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}

// string() of lists and maps reads as fmt's %v, which expr's string() used.
func TestStringOfContainersMatchesFmt(t *testing.T) {
	for _, v := range []any{
		[]any{1, "a", nil, []any{true, 2.5}},
		map[string]any{"b": 1, "a": []any{"x"}, "c": map[string]any{"z": nil}},
		[]string{"p", "q"},
		map[string]string{"k": "v"},
		[]any{},
		"plain", 3, nil,
	} {
		var b strings.Builder
		if err := writeV(&b, v); err != nil || b.String() != fmt.Sprintf("%v", v) {
			t.Errorf("writeV(%#v) = %q, %v; fmt gives %q", v, b.String(), err, fmt.Sprintf("%v", v))
		}
	}
}
