package triggers

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func loadYAML(t *testing.T, src string) (*Set, error) {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(src), &n); err != nil {
		t.Fatal(err)
	}
	return Load("hookflow.yaml", n.Content[0])
}

func TestLoadErrorsHavePositions(t *testing.T) {
	cases := []struct {
		name, src, want string
	}{
		{"no verify", "orders:\n  schema: {id: required}\n", "hookflow.yaml:2:3: triggers.orders: verify is required"},
		{"unknown field", "orders:\n  verify: {scheme: none}\n  evnt_id: x\n", `hookflow.yaml:3:3: triggers.orders: unknown field "evnt_id"`},
		{"bad expr", "orders:\n  verify: {scheme: none}\n  event_id: headers[\n", "hookflow.yaml:3:13: triggers.orders: event_id:"},
		{"bad name", "Orders!:\n  verify: {scheme: none}\n", `hookflow.yaml:1:1: trigger name "Orders!"`},
		{"bad limit", "orders:\n  verify: {scheme: none}\n  body_limit: lots\n", "hookflow.yaml:3:15: triggers.orders: body_limit:"},
		{"unknown scheme", "orders:\n  verify: {scheme: magic}\n", "hookflow.yaml:2:11: triggers.orders: verify.scheme \"magic\" is unknown"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadYAML(t, tc.src)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v\nwant it to contain %q", err, tc.want)
			}
		})
	}
}

func TestEventIDDefaultsAndFallback(t *testing.T) {
	set, err := loadYAML(t, `
gh:
  verify: {scheme: github, secret: s}
custom:
  verify: {scheme: none}
  event_id: payload.order.id
  event_type: '"order." + payload.status'
plain:
  verify: {scheme: none}
`)
	if err != nil {
		t.Fatal(err)
	}
	payload := map[string]any{"order": map[string]any{"id": int64(820982911946154508)}, "status": "paid"}
	headers := map[string]string{"x-github-delivery": "d-1", "x-github-event": "push"}
	body := []byte(`{"a":1}`)

	gh, _ := set.Get("gh")
	if id, _ := gh.eventID(headers, payload, body); id != "d-1" {
		t.Errorf("github id %q", id)
	}
	if typ, _ := gh.eventType(headers, payload); typ != "push" {
		t.Errorf("github type %q", typ)
	}
	custom, _ := set.Get("custom")
	if id, _ := custom.eventID(headers, payload, body); id != "820982911946154508" {
		t.Errorf("custom id %q (integers must stay exact)", id)
	}
	if typ, _ := custom.eventType(headers, payload); typ != "order.paid" {
		t.Errorf("custom type %q", typ)
	}
	plain, _ := set.Get("plain")
	id, _ := plain.eventID(nil, payload, body)
	if id != "sha256-015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862" {
		t.Errorf("fallback id %q, want sha256 of the body", id)
	}
}
