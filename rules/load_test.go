package rules

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// testOptions knows the triggers and operations of the samples.
func testOptions() Options {
	return Options{
		Triggers:    []string{"shop-orders", "forms"},
		Correlating: []string{"shop-orders"},
		Fields: func(integration, operation string) ([]string, bool) {
			if integration == "crm" && operation == "upsert_contact" {
				return []string{"email", "properties"}, true
			}
			return nil, false
		},
		Operation: func(integration, operation string) ([]string, error) {
			ops := map[string]map[string][]string{
				"crm":     {"upsert_contact": {"email"}},
				"ops":     {"post_message": {"text"}},
				"shop":    {"tag_order": {"order_id", "tags"}},
				"partner": {"send": nil},
			}
			i, ok := ops[integration]
			if !ok {
				return nil, fmt.Errorf("unknown integration %s", integration)
			}
			req, ok := i[operation]
			if !ok {
				return nil, fmt.Errorf("integration %s has no operation %s", integration, operation)
			}
			return req, nil
		},
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./rules -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (run go test ./rules -update to accept):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestLoadDiagnosticsGolden(t *testing.T) {
	e, err := Load(filepath.Join("testdata", "invalid"), testOptions())
	if e != nil {
		t.Fatal("engine returned with errors")
	}
	var diags Diagnostics
	if !errors.As(err, &diags) {
		t.Fatalf("error is %T, want Diagnostics: %v", err, err)
	}
	golden(t, "invalid.golden", err.Error()+"\n")
}

func TestLoadValid(t *testing.T) {
	e, err := Load(filepath.Join("testdata", "rules"), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(e.Rules(), ","); got != "tag-order,vip-order" {
		t.Errorf("rules = %s", got)
	}
	if len(e.Version()) != 12 {
		t.Errorf("version %q is not 12 hex digits", e.Version())
	}
}

// TestLoadErrors pins exact positions and messages, one concern per case.
func TestLoadErrors(t *testing.T) {
	const head = "name: r\non: [shop-orders]\n"
	tests := []struct {
		name string
		src  string
		want string // one of the diagnostics, exactly
	}{
		{"yaml syntax", "name: [\n", "r.yaml:1:1: yaml: did not find expected node content"},
		{"unknown rule field", head + "setps: []\nsteps:\n  - {id: a, call: ops.post_message, with: {text: x}}\n",
			"r.yaml:3:1: unknown field `setps` in rule (want name, description, on, when, steps, on_failure, on_cancel)"},
		{"unknown step field", head + "steps:\n  - id: a\n    call: ops.post_message\n    wiht: {}\n",
			"r.yaml:6:5: unknown field `wiht` in step a (want id, call, sleep, wait_for, needs, if, with, retry, timeout, continue_on_error)"},
		{"step without kind", head + "steps:\n  - id: a\n    needs: []\n", "r.yaml:4:5: step a is missing call, sleep or wait_for (what the step does)"},
		{"two kinds", head + "steps:\n  - id: a\n    sleep: 1h\n    wait_for: {signal: s}\n",
			"r.yaml:6:5: step a: sleep and wait_for cannot be combined; a step does one thing (split it into two steps with needs)"},
		{"with on sleep", head + "steps:\n  - id: a\n    sleep: 3d\n    with: {}\n", "r.yaml:6:5: step a: with only applies to call steps, not sleep"},
		{"bad duration", head + "steps:\n  - id: a\n    sleep: 3w\n", `r.yaml:5:12: step a: sleep: "3w" is not a duration (like 30s, 10m, 72h or 3d)`},
		{"duration without unit", head + "steps:\n  - {id: a, call: partner.send, timeout: 30}\n", "r.yaml:4:42: step a: timeout: 30 needs a unit, like 30s, 30m or 30h"},
		{"if not bool", head + "steps:\n  - id: a\n    call: partner.send\n    if: len(headers)\n", "r.yaml:6:9: step a: if: expected bool, but got int"},
		{"if unknown field", head + "steps:\n  - id: a\n    call: partner.send\n    if: steps.a.nope\n",
			"r.yaml:6:17: step a: if: a step (steps.<id>) has no field nope (it has: status, output, timed_out)"},
		{"if reads a later step", head + "steps:\n  - {id: a, call: partner.send, if: steps.b.timed_out}\n  - {id: b, wait_for: {signal: go}}\n",
			"r.yaml:4:37: step a: if: steps.b has not run yet: add b to needs"},
		{"match syntax", head + "steps:\n  - id: a\n    wait_for: {signal: paid, match: \"signal.id ==\"}\n",
			"r.yaml:5:49: step a: wait_for.match: unexpected token EOF"},
		{"match not bool", head + "steps:\n  - id: a\n    wait_for: {signal: paid, match: len(signal)}\n",
			"r.yaml:5:37: step a: wait_for.match: expected bool, but got int"},
		{"signal in when", head + "when: signal.x == 1\nsteps:\n  - {id: a, call: partner.send}\n", "r.yaml:3:7: when: signal is only set in wait_for.match"},
		{"retry field", head + "steps:\n  - {id: a, call: partner.send, retry: {tries: 3}}\n",
			"r.yaml:4:41: unknown field `tries` in step a retry (want initial, backoff, max_interval, max_attempts, expire)"},
		{"missing on", "name: r\nsteps: []\n", "r.yaml:1:1: rule r is missing `on` (the triggers it listens to)"},
		{"missing steps", head, "r.yaml:1:1: rule r is missing `steps`"},
		{"missing id", head + "steps:\n  - call: ops.post_message\n    with: {text: x}\n", "r.yaml:4:5: step 1 is missing id"},
		{"bad id", head + "steps:\n  - id: Bad\n    call: ops.post_message\n    with: {text: x}\n", `r.yaml:4:9: step id "Bad" must match [a-z0-9_-]+`},
		{"bad call", head + "steps:\n  - id: a\n    call: post\n", `r.yaml:5:11: step a: call must be integration.operation, got "post"`},
		{"unknown integration", head + "steps:\n  - id: a\n    call: nope.send\n", "r.yaml:5:11: step a: unknown integration nope"},
		{"required with", head + "steps:\n  - id: a\n    call: crm.upsert_contact\n    with:\n      name: x\n",
			"r.yaml:7:7: step a: crm.upsert_contact requires with.email"},
		{"unknown trigger", "name: r\non: [shop-orders, nope]\nsteps:\n  - {id: a, call: partner.send}\n",
			"r.yaml:2:19: unknown trigger nope (known: forms, shop-orders)"},
		{"when not bool", head + "when: len(payload.items)\nsteps:\n  - {id: a, call: partner.send}\n",
			"r.yaml:3:7: when: expected bool, but got int"},
		{"when unknown field", head + "when: event.nope == 1\nsteps:\n  - {id: a, call: partner.send}\n",
			"r.yaml:3:13: when: event has no field nope (it has: id, type, trigger, received_at)"},
		{"when quoted column", head + "when: \"event.nope == 1\"\nsteps:\n  - {id: a, call: partner.send}\n",
			"r.yaml:3:14: when: event has no field nope (it has: id, type, trigger, received_at)"},
		{"template syntax column", head + "steps:\n  - id: a\n    call: partner.send\n    with: {body: \"x ${{ payload. }}\"}\n",
			"r.yaml:6:32: step a: with.body: unexpected end of expression"},
		{"template unknown step", head + "steps:\n  - id: a\n    call: partner.send\n    with: {body: \"${{ steps.b.output }}\"}\n",
			"r.yaml:6:23: step a: with.body: steps.b is not a step of rule r"},
		{"template step not in needs", head + "steps:\n  - {id: a, call: partner.send}\n  - id: b\n    call: partner.send\n    with:\n      body: ${{ steps.a.output }}\n",
			"r.yaml:8:17: step b: with.body: steps.a has not run yet: add a to needs"},
		{"template unterminated", head + "steps:\n  - id: a\n    call: partner.send\n    with: {body: \"x ${{ payload\"}\n",
			"r.yaml:6:21: step a: with.body: unterminated ${{ (missing }})"},
		{"failure outside on_failure", head + "steps:\n  - id: a\n    call: partner.send\n    with: {body: \"${{ failure.message }}\"}\n",
			"r.yaml:6:23: step a: with.body: failure is only set in on_failure steps"},
		{"needs cycle", head + "steps:\n  - {id: a, call: partner.send, needs: [b]}\n  - {id: b, call: partner.send, needs: a}\n",
			"r.yaml:5:40: step b: needs cycle a → b → a"},
		{"needs unknown", head + "steps:\n  - {id: a, call: partner.send, needs: [x]}\n",
			"r.yaml:4:41: step a: needs unknown step x"},
		{"duplicate step", head + "steps:\n  - {id: a, call: partner.send}\n  - {id: a, call: partner.send}\n",
			"r.yaml:5:10: duplicate step id a (first at line 4)"},
		{"duplicate key", head + "steps:\n  - {id: a, call: partner.send, call: partner.send}\n",
			"r.yaml:4:33: duplicate key `call` (first at line 4)"},
		{"repeat disabled", head + "steps:\n  - id: a\n    call: partner.send\n    with: {body: \"${{ repeat('x', 1000000000) }}\"}\n",
			"r.yaml:6:23: step a: with.body: unknown name repeat"},
		{"too large", "#" + strings.Repeat("x", maxFileSize), "r.yaml: rule file is 262145 bytes; the limit is 256 KiB"},
		{"two documents", head + "steps: [{id: a, call: partner.send}]\n---\nname: s\n", "r.yaml:4:1: a rule file holds one rule (found a second YAML document)"},
		{"empty", "", "r.yaml: rule file is empty"},
		{"unknown with field", head + "steps:\n  - id: a\n    call: crm.upsert_contact\n    with: { email: x, propertes: {} }\n",
			"r.yaml:6:23: step a: with.propertes: crm.upsert_contact takes no field propertes (it takes: email, properties)"},
		{"unknown var in if", head + "steps:\n  - {id: a, call: partner.send, if: vars.nope > 1}\n",
			"r.yaml:4:42: step a: if: vars.nope is not a project var (none are declared: add a top-level vars: section to hookflow.yaml)"},
		{"unknown var in when", head + "when: payload.x == vars.limit\nsteps:\n  - {id: a, call: partner.send}\n",
			"r.yaml:3:25: when: vars.limit is not a project var (none are declared: add a top-level vars: section to hookflow.yaml)"},
		{"unknown var in template", head + "steps:\n  - id: a\n    call: partner.send\n    with: {body: \"${{ vars.x }}\"}\n",
			"r.yaml:6:28: step a: with.body: vars.x is not a project var (none are declared: add a top-level vars: section to hookflow.yaml)"},
		{"wait_for signal and event", head + "steps:\n  - id: a\n    wait_for: {signal: s, event: paid}\n",
			"r.yaml:5:15: step a: wait_for takes signal or event, not both (split it into two steps)"},
		{"wait_for neither", head + "steps:\n  - id: a\n    wait_for: {timeout: 1h}\n",
			"r.yaml:5:15: step a: wait_for needs signal (a name delivered by `hookflow signal`) or event (a correlated event type)"},
		{"wait_for triggers with signal", head + "steps:\n  - id: a\n    wait_for: {signal: s, triggers: [shop-orders]}\n",
			"r.yaml:5:27: step a: wait_for.triggers only applies to event, not signal"},
		{"wait_for reserved signal", head + "steps:\n  - id: a\n    wait_for: {signal: hookflow.event}\n",
			`r.yaml:5:24: step a: wait_for.signal "hookflow.event": names starting with "hookflow." are hookflow's own`},
		{"wait_for event on uncorrelated trigger", "name: r\non: [forms]\nsteps:\n  - id: a\n    wait_for: {event: paid}\n",
			"r.yaml:5:15: step a: wait_for.event needs the run's correlation key, but trigger forms (in on) sets no correlate: add `correlate: <expression>` to trigger forms in hookflow.yaml"},
		{"wait_for from unknown trigger", head + "steps:\n  - id: a\n    wait_for: {event: paid, triggers: [stripe]}\n",
			"r.yaml:5:40: step a: wait_for.triggers: unknown trigger stripe (known: forms, shop-orders)"},
		{"wait_for from uncorrelated trigger", head + "steps:\n  - id: a\n    wait_for: {event: paid, triggers: [forms]}\n",
			"r.yaml:5:40: step a: wait_for.triggers: trigger forms sets no correlate, so none of its events can reach this wait: add `correlate: <expression>` to trigger forms"},
		{"failure in on_cancel", head + "steps:\n  - {id: a, call: partner.send}\non_cancel:\n  - call: partner.send\n    with: {body: \"${{ failure.message }}\"}\n",
			"r.yaml:7:23: step on_cancel_1: with.body: failure is only set in on_failure steps"},
		{"needs across handler lists", head + "steps:\n  - {id: a, call: partner.send}\non_cancel:\n  - {id: c, call: partner.send, needs: [a]}\n",
			"r.yaml:6:41: step c: needs a, which is not in the same list (steps, on_failure and on_cancel do not wait for each other)"},
		{"deep with", head + "steps:\n  - id: a\n    call: partner.send\n    with: " + strings.Repeat("[", 70) + strings.Repeat("]", 70) + "\n",
			"r.yaml:6:76: step a: with" + strings.Repeat("[0]", 65) + " is nested more than 64 levels deep"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadFiles(map[string][]byte{"r.yaml": []byte(tt.src)}, testOptions())
			if err == nil {
				t.Fatalf("no error, want %s", tt.want)
			}
			var diags Diagnostics
			if !errors.As(err, &diags) {
				t.Fatalf("error is %T", err)
			}
			for _, d := range diags {
				if d.Error() == tt.want || strings.HasSuffix(d.Error(), ": "+tt.want) {
					return
				}
			}
			t.Errorf("want %s\ngot:\n%v", tt.want, err)
		})
	}
}

func TestDuplicateRuleNames(t *testing.T) {
	src := []byte("name: same\non: [shop-orders]\nsteps: [{id: a, call: partner.send}]\n")
	_, err := LoadFiles(map[string][]byte{"a.yaml": src, "b.yaml": src}, testOptions())
	want := "b.yaml:1:7: duplicate rule name same (also in a.yaml)"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

func TestMergeKeysAndAliases(t *testing.T) {
	src := `name: merge
on: [shop-orders]
steps:
  - id: a
    call: ops.post_message
    with: &base
      text: "hi ${{ payload.name }}"
      channel: ops
  - id: b
    call: ops.post_message
    with:
      <<: *base
      channel: sales
`
	e, err := LoadFiles(map[string][]byte{"m.yaml": []byte(src)}, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	p, _ := e.Match(Input{Event: Event{Trigger: "shop-orders"}})
	got, err := e.Render(p.Rules[0].Steps[1].With, Scope{Input: Input{Payload: map[string]any{"name": "Ada"}}})
	if err != nil {
		t.Fatal(err)
	}
	m := got.(map[string]any)
	if m["text"] != "hi Ada" || m["channel"] != "sales" {
		t.Errorf("got %v", m)
	}
}

func TestVersionChangesWithFiles(t *testing.T) {
	a := []byte("name: a\non: [shop-orders]\nsteps: [{id: a, call: partner.send}]\n")
	b := []byte("name: a\non: [shop-orders]\nsteps: [{id: b, call: partner.send}]\n")
	v := func(files map[string][]byte) string {
		t.Helper()
		e, err := LoadFiles(files, Options{})
		if err != nil {
			t.Fatal(err)
		}
		return e.Version()
	}
	v1 := v(map[string][]byte{"a.yaml": a})
	if v1 != v(map[string][]byte{"a.yaml": a}) {
		t.Error("version is not stable")
	}
	if v1 == v(map[string][]byte{"a.yaml": b}) {
		t.Error("version did not change with content")
	}
	if v1 == v(map[string][]byte{"x.yaml": a}) {
		t.Error("version did not change with file name")
	}
	if v1 != v(map[string][]byte{"a.yaml": a, "a_test.yaml": []byte("not a rule")}) {
		t.Error("a rule test changed the version")
	}
}
