package triggers

import (
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

func loadYAML(t testing.TB, src string) (*Set, error) {
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
		{"absurd limit", "orders:\n  verify: {scheme: none}\n  body_limit: 9999999999GiB\n", "larger than 1 TiB"},
		{"unknown scheme", "orders:\n  verify: {scheme: magic}\n", "hookflow.yaml:2:11: triggers.orders: verify.scheme \"magic\" is unknown"},
		{"bad rate", "orders:\n  verify: {scheme: none}\n  rate_limit: fast\n", "hookflow.yaml:3:15: triggers.orders: rate_limit: \"fast\" is not a rate; write e.g. 100/s"},
		{"rate unit", "orders:\n  verify: {scheme: none}\n  rate_limit: 5/d\n", "rate_limit: \"5/d\" is not a rate"},
		{"zero rate", "orders:\n  verify: {scheme: none}\n  rate_limit: 0/s\n", "rate_limit: \"0/s\" is not a rate"},
		{"burst alone", "orders:\n  verify: {scheme: none}\n  burst: 5\n", "hookflow.yaml:3:10: triggers.orders: burst only applies with rate_limit"},
		{"bad burst", "orders:\n  verify: {scheme: none}\n  rate_limit: 1/s\n  burst: 0\n", "hookflow.yaml:4:10: triggers.orders: burst: \"0\" is not a burst size"},
		{"bad ip", "orders:\n  verify: {scheme: none}\n  allow_ips: [10.0.0.0/8, 10.1.2.300]\n", "hookflow.yaml:3:27: triggers.orders: allow_ips: \"10.1.2.300\" is not a CIDR"},
		{"ips not a list", "orders:\n  verify: {scheme: none}\n  allow_ips: 10.0.0.0/8\n", "allow_ips: must be a non-empty list"},
		{"bad window", "orders:\n  verify: {scheme: none}\n  dedupe_window: 1d\n", "hookflow.yaml:3:18: triggers.orders: dedupe_window: \"1d\" is not a duration"},
		{"negative window", "orders:\n  verify: {scheme: none}\n  dedupe_window: -1h\n", "dedupe_window: \"-1h\" is not a duration"},
		{"buffer without correlate", "orders:\n  verify: {scheme: none}\n  correlate_buffer: 1h\n", "hookflow.yaml:3:21: triggers.orders: correlate_buffer only applies with correlate"},
		{"bad buffer", "orders:\n  verify: {scheme: none}\n  correlate: payload.id\n  correlate_buffer: soon\n", `hookflow.yaml:4:21: triggers.orders: correlate_buffer: "soon" is not a duration`},
		{"long buffer", "orders:\n  verify: {scheme: none}\n  correlate: payload.id\n  correlate_buffer: 31d\n", "correlate_buffer: 31d is longer than 30d"},
		{"bad body", "orders:\n  verify: {scheme: none}\n  body: xml\n", "hookflow.yaml:3:9: triggers.orders: body: \"xml\" is not a body format; write json (the default) or form"},
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

func TestCorrelateBuffer(t *testing.T) {
	set, err := loadYAML(t, `
a: {verify: {scheme: none}, correlate: payload.id}
b: {verify: {scheme: none}, correlate: payload.id, correlate_buffer: 2d}
c: {verify: {scheme: none}}
`)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]time.Duration{"a": DefaultCorrelateBuffer, "b": 48 * time.Hour, "c": 0} {
		if tr, _ := set.Get(name); tr.CorrelateBuffer != want {
			t.Errorf("%s: buffer %s, want %s", name, tr.CorrelateBuffer, want)
		}
	}
	if got := set.Correlating(); strings.Join(got, ",") != "a,b" {
		t.Errorf("Correlating() = %v, want a, b", got)
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

func TestLoadDoorSettings(t *testing.T) {
	set, err := loadYAML(t, `
a:
  verify: {scheme: github, secret: s}
  body: form
  rate_limit: 600/m
  allow_ips: [192.0.2.0/24, "2001:db8::1", 203.0.113.7]
b:
  verify: {scheme: github, secret: s}
  rate_limit: 0.5/s
  burst: 3
  dedupe_window: 30m
c:
  verify: {scheme: stripe, secret: s}
  rate_limit: 250/s
`)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := set.Get("a")
	if a.Body != BodyForm || a.RateLimit.PerS != 10 || a.RateLimit.Burst != 10 || len(a.AllowIPs) != 3 || a.DedupeWindow != DefaultDedupeWindow {
		t.Errorf("a: body %v rate %+v ips %v window %s", a.Body, a.RateLimit, a.AllowIPs, a.DedupeWindow)
	}
	if a.AllowIPs[2].String() != "203.0.113.7/32" {
		t.Errorf("single address became %s", a.AllowIPs[2])
	}
	b, _ := set.Get("b")
	if b.Body != BodyJSON || b.RateLimit.PerS != 0.5 || b.RateLimit.Burst != 3 || b.DedupeWindow != 30*time.Minute {
		t.Errorf("b: body %v rate %+v window %s", b.Body, b.RateLimit, b.DedupeWindow)
	}
	c, _ := set.Get("c")
	if c.RateLimit.Burst != 250 || c.DedupeWindow != 0 || c.AllowIPs != nil {
		t.Errorf("c: rate %+v window %s", c.RateLimit, c.DedupeWindow)
	}
	if got := set.Unverified(); len(got) != 0 {
		t.Errorf("unverified %v", got)
	}
}
