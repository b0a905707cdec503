package rules

import (
	"encoding/json"
	"runtime"
	"strings"
	"testing"
	"time"
)

// FuzzHostileExpressions runs expressions a fuzzer builds against a payload
// of a size a sender can post. Whatever the expression, it returns (a value
// or an error) soon after its deadline and allocates a bounded amount: no
// expression makes the worker spin or swell.
func FuzzHostileExpressions(f *testing.F) {
	for _, s := range []string{
		`join(map(1..3500, payload.s), ",")`,
		`all(payload.items, all(payload.items, sha256(payload.s) != ""))`,
		`let a = payload.s + payload.s; let b = a + a; let c = b + b; c + c`,
		`replace(payload.s, "", payload.s)`,
		`json(map(1..1000, payload))`,
		`toJSON(map(1..1000, payload))`,
		`string(map(1..1000, payload))`,
		`uniq(map(1..100000, [#]))`,
		`reduce(1..64, #acc + #acc, payload.s)`,
		`map(1..1000, upper(payload.s))`,
		`map(1..200, split(payload.s, ""))`,
		`sortBy(map(1..100000, -#), #)`,
		`groupBy(payload.items, # % 7)`,
		`concat(payload.items, payload.items, payload.items)`,
		`filter(map(payload.items, payload.items), len(#) > 0)`,
		`format_time(event.received_at, payload.s)`,
		`fromJSON(toJSON(payload))`,
		`path_segment(payload.s)`,
		`hmac_sha256(payload.s, payload.s)`,
		`format("%v %s", map(1..1000, payload), payload.s)`,
		`number(payload.s, 2)`,
	} {
		f.Add(s)
	}
	e := mustLoad(f, map[string]string{"r.yaml": ruleSrc("r", "[t]", "")})
	e.limits = limits{timeout: 100 * time.Millisecond, bytes: evalBytes, rendered: maxRendered}
	scope := hostileScope()
	f.Fuzz(func(t *testing.T, src string) {
		if strings.Contains(src, "}}") || len(src) > 2000 {
			return
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		_, _ = e.Render("${{ "+src+" }}", scope)
		_, _ = e.EvalBool(src, scope)
		took := time.Since(start)
		runtime.ReadMemStats(&after)
		// Two evaluations of 100ms each; the slack is for a loaded machine.
		if took > 10*time.Second {
			t.Fatalf("%s ran %s", src, took)
		}
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<30 {
			t.Fatalf("%s allocated %d MiB", src, grew>>20)
		}
	})
}

// The streaming JSON writer writes what encoding/json writes.
func TestWriteJSONMatchesEncodingJSON(t *testing.T) {
	values := []any{
		nil, 1, 2.5, "a<b>&", true, []any{}, map[string]any{},
		[]any{1, "x", nil, map[string]any{"b": []any{1, 2}, "a": map[string]any{}}},
		map[string]any{"z": 1, "a": []string{"p"}, "m": map[string]string{"k": "v"}},
		[]byte("bytes"), json.Number("12345678901234567890"),
		Event{ID: "e", ReceivedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)},
		[]any{StepState{Status: "succeeded", Output: map[string]any{"id": 1}}},
		map[int]string{2: "b", 1: "a"},
	}
	for _, v := range values {
		for _, indent := range []string{"", "  "} {
			for _, html := range []bool{false, true} {
				var want strings.Builder
				enc := json.NewEncoder(&want)
				enc.SetEscapeHTML(html)
				enc.SetIndent("", indent)
				if err := enc.Encode(v); err != nil {
					t.Fatal(err)
				}
				var got strings.Builder
				if err := writeJSON(&got, v, indent, html); err != nil {
					t.Fatal(err)
				}
				if w := strings.TrimSuffix(want.String(), "\n"); got.String() != w {
					t.Errorf("writeJSON(%#v, %q, %v) = %q, encoding/json gives %q", v, indent, html, got.String(), w)
				}
			}
		}
	}
}
