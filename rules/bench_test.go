package rules

import (
	"fmt"
	"testing"
)

// BenchmarkMatch matches one event against n rules on its trigger, each
// pinned to its own event type (the indexed path) or not pinned at all.
func BenchmarkMatch(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		for _, pinned := range []bool{true, false} {
			files := map[string][]byte{}
			for i := range n {
				when := fmt.Sprintf(`event.type == "type-%d" && payload.total_price > 500`, i)
				if !pinned {
					when = fmt.Sprintf(`payload.kind == "kind-%d" && payload.total_price > 500`, i)
				}
				name := fmt.Sprintf("rule-%04d", i)
				files[name+".yaml"] = []byte(ruleSrc(name, "[shop-orders]", when))
				// A rule on another trigger must cost nothing.
				files["other-"+name+".yaml"] = []byte(ruleSrc("other-"+name, "[forms]", ""))
			}
			e, err := LoadFiles(files, Options{})
			if err != nil {
				b.Fatal(err)
			}
			in := Input{
				Event:   Event{Trigger: "shop-orders", Type: "type-7"},
				Payload: map[string]any{"kind": "kind-7", "total_price": 600.0},
			}
			label := "by-type"
			if !pinned {
				label = "unindexed"
			}
			b.Run(fmt.Sprintf("rules=%d/%s", n, label), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					p, err := e.Match(in)
					if err != nil || len(p.Rules) != 1 {
						b.Fatalf("%v %v", p, err)
					}
				}
			})
		}
	}
}

// BenchmarkRender renders a 10-field body.
func BenchmarkRender(b *testing.B) {
	e, err := Load("testdata/rules", Options{})
	if err != nil {
		b.Fatal(err)
	}
	with := map[string]any{
		"email":   "${{ payload.email }}",
		"name":    "${{ payload.name }}",
		"total":   "${{ payload.total_price }}",
		"text":    "Order ${{ payload.name }} paid ${{ payload.total_price }}",
		"vip":     "${{ payload.total_price > 500 }}",
		"event":   "${{ event.id }}",
		"shop":    "${{ headers['x-shop'] }}",
		"lower":   "${{ lower(payload.email) }}",
		"contact": "${{ steps.contact.output.id }}",
		"fixed":   "hookflow",
	}
	scope := renderScope()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Render(with, scope); err != nil {
			b.Fatal(err)
		}
	}
}
