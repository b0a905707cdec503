package rules

import (
	"fmt"
	"strings"
	"testing"
)

func mustLoad(t testing.TB, files map[string]string) *Engine {
	t.Helper()
	m := map[string][]byte{}
	for k, v := range files {
		m[k] = []byte(v)
	}
	e, err := LoadFiles(m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func ruleSrc(name, on, when string) string {
	s := fmt.Sprintf("name: %s\non: %s\n", name, on)
	if when != "" {
		s += "when: " + when + "\n"
	}
	return s + "steps:\n  - id: a\n    call: partner.send\n    with: {body: \"${{ payload }}\"}\n"
}

func TestMatch(t *testing.T) {
	e := mustLoad(t, map[string]string{
		"vip.yaml":     ruleSrc("vip", "[shop-orders]", `event.type == "orders/paid" && payload.total_price > 500`),
		"all.yaml":     ruleSrc("all", "shop-orders", ""),
		"paid.yaml":    ruleSrc("paid", "[shop-orders, forms]", `'"orders/paid" == event.type'`),
		"header.yaml":  ruleSrc("header", "[forms]", `headers["x-source"] == "web"`),
		"created.yaml": ruleSrc("created", "[shop-orders]", `event.type == "orders/create"`),
		"either.yaml":  ruleSrc("either", "[shop-orders]", `event.type == "orders/create" || payload.total_price > 1000`),
	})
	order := func(typ string, total float64) Input {
		return Input{Event: Event{Trigger: "shop-orders", Type: typ}, Payload: map[string]any{"total_price": total}}
	}
	tests := []struct {
		name string
		in   Input
		want string
	}{
		{"when true", order("orders/paid", 600), "all,paid,vip"},
		{"when false", order("orders/paid", 100), "all,paid"},
		{"other type", order("orders/create", 100), "all,created,either"},
		{"or is not indexed", order("orders/x", 2000), "all,either"},
		{"no trigger", Input{Event: Event{Trigger: "nope", Type: "orders/paid"}}, ""},
		{"second trigger", Input{Event: Event{Trigger: "forms", Type: "orders/paid"}, Headers: map[string]string{"x-source": "web"}}, "header,paid"},
		{"missing header", Input{Event: Event{Trigger: "forms"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := e.Match(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, r := range p.Rules {
				names = append(names, r.Name)
				if r.File != r.Name+".yaml" {
					t.Errorf("file %s for rule %s", r.File, r.Name)
				}
			}
			if got := strings.Join(names, ","); got != tt.want {
				t.Errorf("matched %q, want %q", got, tt.want)
			}
			if p.Version != e.Version() {
				t.Errorf("plan version %s, engine %s", p.Version, e.Version())
			}
		})
	}
}

func TestMatchPlanSteps(t *testing.T) {
	e, err := Load("testdata/rules", testOptions())
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.Match(Input{Event: Event{Trigger: "shop-orders", Type: "orders/paid"}, Payload: map[string]any{"total_price": 900.0}})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Rules) != 2 || p.Rules[1].Name != "vip-order" {
		t.Fatalf("plan %+v", p)
	}
	vip := p.Rules[1]
	if s := vip.Steps[1]; s.ID != "notify" || s.Integration() != "ops" || s.Operation() != "post_message" || s.Needs[0] != "contact" {
		t.Errorf("step %+v", s)
	}
	if s := vip.OnFailure[0]; s.ID != "on_failure_1" {
		t.Errorf("on_failure id %q", s.ID)
	}
}

// TestMatchRuntimeError: a `when` that fails at run time fails its own rule
// only; the neighbours are still planned.
func TestMatchRuntimeError(t *testing.T) {
	e := mustLoad(t, map[string]string{
		"bad.yaml":  ruleSrc("bad", "[t]", `payload.items[5] > 1`),
		"good.yaml": ruleSrc("good", "[t]", `true`),
	})
	p, err := e.Match(Input{Event: Event{Trigger: "t"}, Payload: map[string]any{"items": []any{1.0}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Rules) != 2 {
		t.Fatalf("plan %+v; want bad (errored) and good", p.Rules)
	}
	bad, good := p.Rules[0], p.Rules[1]
	if bad.Name != "bad" || !strings.HasPrefix(bad.Error, "when: ") || len(bad.Steps) != 0 {
		t.Errorf("bad = %+v; want its error and no steps", bad)
	}
	if good.Name != "good" || good.Error != "" || len(good.Steps) == 0 {
		t.Errorf("good = %+v; want planned with its steps", good)
	}
}

// TestIndexByType checks that a pinned `when` is not evaluated for other types.
func TestIndexByType(t *testing.T) {
	e := mustLoad(t, map[string]string{
		"a.yaml": ruleSrc("a", "[t]", `event.type == "a" && payload.x.y == 1`),
		"b.yaml": ruleSrc("b", "[t]", `event.type == "b"`),
	})
	ix := e.index["t"]
	if len(ix.anyType) != 0 || len(ix.byType["a"]) != 1 || len(ix.byType["b"]) != 1 {
		t.Fatalf("index %+v", ix)
	}
	// Rule a would fail on this payload if it were evaluated.
	p, err := e.Match(Input{Event: Event{Trigger: "t", Type: "b"}, Payload: map[string]any{"x": "str"}})
	if err != nil || len(p.Rules) != 1 || p.Rules[0].Name != "b" {
		t.Errorf("plan %+v, err %v", p, err)
	}
}
