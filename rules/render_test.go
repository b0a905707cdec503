package rules

import (
	"encoding/json"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

func renderScope() Scope {
	return Scope{
		Input: Input{
			Event: Event{ID: "evt_1", Type: "orders/paid", Trigger: "shop-orders",
				ReceivedAt: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)},
			Headers: map[string]string{"x-shop": "acme"},
			Payload: map[string]any{
				"name": "#1001", "email": "Ada@Example.com ", "total_price": 612.5, "count": 3.0,
				"big": 12345678901234.0, "tags": []any{"a", "b"}, "note": nil,
				"customer": map[string]any{"id": 42.0, "vip": true},
			},
		},
		Steps: map[string]StepState{"contact": {Status: "succeeded", Output: map[string]any{"id": "c_9"}}},
	}
}

func TestRender(t *testing.T) {
	e := mustLoad(t, map[string]string{"r.yaml": ruleSrc("r", "[t]", "")})
	withFailure := renderScope()
	withFailure.Failure = &Failure{Step: "contact", Message: "HTTP 500"}
	tests := []struct {
		name  string
		tmpl  any
		scope Scope
		want  any
	}{
		{"number keeps type", "${{ payload.total_price }}", renderScope(), 612.5},
		{"spaces around keep type", "  ${{ payload.count }} ", renderScope(), 3.0},
		{"bool keeps type", "${{payload.customer.vip}}", renderScope(), true},
		{"map keeps type", "${{ payload.customer }}", renderScope(), map[string]any{"id": 42.0, "vip": true}},
		{"list keeps type", "${{ payload.tags }}", renderScope(), []any{"a", "b"}},
		{"nil keeps type", "${{ payload.note }}", renderScope(), nil},
		{"int result", "${{ len(payload.tags) }}", renderScope(), 2},
		{"plain string", "no template", renderScope(), "no template"},
		{"scalar", 7, renderScope(), 7},
		{"formats inside string", "n=${{ payload.count }} p=${{ payload.total_price }} big=${{ payload.big }} v=${{ payload.customer.vip }} nil=[${{ payload.note }}]",
			renderScope(), "n=3 p=612.5 big=12345678901234 v=true nil=[]"},
		{"json inside string", "c=${{ payload.customer }} t=${{ payload.tags }}", renderScope(), `c={"id":42,"vip":true} t=["a","b"]`},
		{"map literal with braces", `${{ {"a": {"b": 1}} }}`, renderScope(), map[string]any{"a": map[string]any{"b": 1}}},
		{"string with braces", `x${{ "}}" }}y`, renderScope(), "x}}y"},
		{"nested tree", map[string]any{
			"email": "${{ lower(trim(payload.email)) }}",
			"props": map[string]any{"ltv": "${{ payload.total_price }}", "list": []any{"${{ event.id }}", 1, true}},
		}, renderScope(), map[string]any{
			"email": "ada@example.com",
			"props": map[string]any{"ltv": 612.5, "list": []any{"evt_1", 1, true}},
		}},
		{"steps output", "contact ${{ steps.contact.output.id }} ${{ steps.contact.status }}", renderScope(), "contact c_9 succeeded"},
		{"failure", "failed at ${{ failure.step }}: ${{ failure.message }}", withFailure, "failed at contact: HTTP 500"},
		{"headers and event", "${{ headers['x-shop'] }}/${{ event.trigger }}/${{ event.type }}", renderScope(), "acme/shop-orders/orders/paid"},
		{"helpers", map[string]any{
			"sha":  "${{ sha256('abc') }}",
			"hmac": "${{ hmac_sha256('key', 'msg') }}",
			"json": "${{ json(payload.tags) }}",
			"up":   "${{ upper('x') }}",
			"def":  "${{ default(payload.note, 'none') }}",
			"coal": "${{ coalesce(payload.note, '', payload.name) }}",
			"time": "${{ format_time(parse_time('2026-01-02T03:04:05Z'), 'DateOnly') }}",
			"t2":   "${{ format_time(parse_time('2006-01-02', '2026-05-06'), 'RFC3339') }}",
			"recv": "${{ format_time(event.received_at, 'RFC3339') }}",
		}, renderScope(), map[string]any{
			"sha":  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
			"hmac": "2d93cbc1be167bcb1637a4a23cbff01a7878f0c50ee833954ea5221bb1b8c628",
			"json": `["a","b"]`,
			"up":   "X",
			"def":  "none",
			"coal": "#1001",
			"time": "2026-01-02",
			"t2":   "2026-05-06T00:00:00Z",
			"recv": "2026-03-01T12:00:00Z",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.Render(tt.tmpl, tt.scope)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestRenderErrors(t *testing.T) {
	e := mustLoad(t, map[string]string{"r.yaml": ruleSrc("r", "[t]", "")})
	tests := []struct {
		name string
		tmpl any
		want string
	}{
		{"path in error", map[string]any{"properties": map[string]any{"lifetime_value": "${{ payload.name.y.z }}"}},
			"with.properties.lifetime_value: ${{ payload.name.y.z }}: "},
		{"list index in path", map[string]any{"l": []any{"ok", "${{ 1 / payload.nope.x }}"}}, "with.l[1]: ${{ 1 / payload.nope.x }}: "},
		{"compile error of an old template", "${{ event.nope }}", "with: ${{ event.nope }}: event has no field nope (it has: id, type, trigger, received_at)"},
		{"unterminated", "x ${{ y", "with: unterminated ${{ (missing }})"},
		{"bad time", "${{ parse_time('x') }}", `with: ${{ parse_time('x') }}: parse_time: parsing time "x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.Render(tt.tmpl, renderScope())
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("err = %v, want prefix %s", err, tt.want)
			}
		})
	}
}

// TestRenderOldTemplate renders a template recorded by an older rules version,
// after a JSON round trip as Temporal history would store it.
func TestRenderOldTemplate(t *testing.T) {
	e := mustLoad(t, map[string]string{"r.yaml": ruleSrc("r", "[t]", "")})
	var with any
	if err := json.Unmarshal([]byte(`{"subject":"Order ${{ upper(payload.name) }}","n":"${{ payload.count * 2 }}","k":5}`), &with); err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second run uses the cached program
		got, err := e.Render(with, renderScope())
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]any{"subject": "Order #1001", "n": 6.0, "k": 5.0}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %#v", got)
		}
	}
}

func TestRenderConcurrent(t *testing.T) {
	e := mustLoad(t, map[string]string{"r.yaml": ruleSrc("r", "[t]", "")})
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			for range 100 {
				got, err := e.Render("${{ payload.count + 1 }}-${{ steps.contact.output.id }}", renderScope())
				if err != nil || got != "4-c_9" {
					t.Errorf("worker %d: %v %v", i, got, err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestRenderDoesNotModifyTemplate(t *testing.T) {
	e := mustLoad(t, map[string]string{"r.yaml": ruleSrc("r", "[t]", "")})
	tmpl := map[string]any{"a": "${{ payload.name }}", "b": []any{"${{ 1 }}"}}
	if _, err := e.Render(tmpl, renderScope()); err != nil {
		t.Fatal(err)
	}
	if tmpl["a"] != "${{ payload.name }}" || tmpl["b"].([]any)[0] != "${{ 1 }}" {
		t.Errorf("template modified: %v", tmpl)
	}
}

func TestRenderVars(t *testing.T) {
	e, err := LoadFiles(map[string][]byte{"r.yaml": []byte(ruleSrc("r", "[t]", "vars.min < payload.total_price"))},
		Options{Vars: map[string]any{"min": 100, "channel": "#ops"}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.Match(Input{Event: Event{Trigger: "t"}, Payload: map[string]any{"total_price": 150.0}})
	if err != nil || len(p.Rules) != 1 {
		t.Fatalf("plan %+v err %v", p, err)
	}
	got, err := e.Render("to ${{ vars.channel }}", renderScope())
	if err != nil || got != "to #ops" {
		t.Errorf("got %v %v", got, err)
	}
}
