package project

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/integrations"
	"github.com/hookflow/hookflow/rules"
)

// urlProject is a project whose rules put payload values into the path of
// the generic http and webhook kinds, the way the security review found
// them rewriting a credentialed DELETE.
const urlProject = `rules: ./rules
triggers:
  orders: { verify: { scheme: none } }
integrations:
  erp:
    kind: http
    base_url: https://erp.example/base/api/v1
    auth: { type: bearer, token: erp-secret-token }
  partner:
    kind: webhook
    url: https://partner.example/hooks
`

const urlRule = `name: cancel
on: orders
steps:
  - id: erp
    call: erp.request
    with:
      method: DELETE
      path: /orders/${{ payload.id }}/cancel
      query: { reason: "${{ payload.reason }}" }
  - id: partner
    call: partner.send
    with:
      path: /orders/${{ payload.id }}/cancel
      body: { id: "${{ payload.id }}" }
  - id: whole
    call: erp.request
    with: { path: "${{ payload.id }}" }
`

func loadURLProject(t *testing.T) *Project {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "rules"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{FileName: urlProject, "rules/cancel.yaml": urlRule} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p, err := Load(dir, func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// build renders step id of the cancel rule for payload and returns the
// request the integration would send.
func build(t *testing.T, p *Project, step string, payload map[string]any) (integrations.RecordedRequest, error) {
	t.Helper()
	in := rules.Input{Event: rules.Event{ID: "e1", Type: "t", Trigger: "orders", ReceivedAt: time.Unix(0, 0)}, Payload: payload}
	plan, err := p.Rules.Match(in)
	if err != nil || len(plan.Rules) != 1 {
		t.Fatalf("match: %v, %d rules", err, len(plan.Rules))
	}
	for _, s := range plan.Rules[0].Steps {
		if s.ID != step {
			continue
		}
		with, err := p.Rules.Render(s.With, rules.Scope{Input: in})
		if err != nil {
			return integrations.RecordedRequest{}, err
		}
		return p.Integrations.Build(integrations.Call{Integration: s.Integration(), Operation: s.Operation(), Input: with.(map[string]any)})
	}
	t.Fatalf("no step %s", step)
	return integrations.RecordedRequest{}, nil
}

// A payload value in with.path is one path segment: it can neither climb out
// of the base path, nor add segments, nor add a query or cut the path.
func TestPayloadCannotSteerURL(t *testing.T) {
	p := loadURLProject(t)
	hostile := []string{
		"../../../admin/users/1",
		"5?force=true&all=1#",
		"..;/admin",
		"../",
		"%2e%2e/admin",
		"a/b",
		"x#frag",
		`..\admin`,
	}
	bases := map[string]string{"erp": "/base/api/v1/orders/", "partner": "/hooks/orders/"}
	for _, id := range hostile {
		for step, prefix := range bases {
			t.Run(step+"/"+id, func(t *testing.T) {
				rec, err := build(t, p, step, map[string]any{"id": id, "reason": "a&b=c"})
				if err != nil {
					// Refusing is fine; the message must say which field.
					if !strings.Contains(err.Error(), "with.path") {
						t.Fatalf("refused without naming with.path: %v", err)
					}
					return
				}
				u, err := url.Parse(rec.URL)
				if err != nil {
					t.Fatalf("recorded URL %q does not parse: %v", rec.URL, err)
				}
				if u.Fragment != "" {
					t.Errorf("URL %q has a fragment", rec.URL)
				}
				rest, ok := strings.CutPrefix(u.EscapedPath(), prefix)
				if !ok {
					t.Fatalf("URL %q left %s", rec.URL, prefix)
				}
				seg, tail, _ := strings.Cut(rest, "/")
				if tail != "cancel" {
					t.Errorf("URL %q: the rule's /cancel became %q", rec.URL, tail)
				}
				if got, _ := url.PathUnescape(seg); got != id {
					t.Errorf("URL %q: segment %q is not the value %q", rec.URL, seg, id)
				}
				q := u.Query()
				if step == "erp" && (len(q) != 1 || q.Get("reason") != "a&b=c") {
					t.Errorf("URL %q: query %v, want only reason=a&b=c", rec.URL, q)
				}
				if step == "partner" && u.RawQuery != "" {
					t.Errorf("URL %q: a query was injected", rec.URL)
				}
			})
		}
	}
}

// A whole-template path is one segment too, and a dot segment is refused
// with a message naming the field.
func TestPayloadDotSegmentRefused(t *testing.T) {
	p := loadURLProject(t)
	for _, id := range []string{"..", ".", "", "a/../../b", `..\x`} {
		_, err := build(t, p, "erp", map[string]any{"id": id})
		if err == nil || !strings.Contains(err.Error(), "with.path") {
			t.Errorf("id %q: err = %v, want a refusal naming with.path", id, err)
		}
	}
	rec, err := build(t, p, "whole", map[string]any{"id": "a/b?c#d"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "https://erp.example/base/api/v1/a%2Fb%3Fc%23d"; rec.URL != want {
		t.Errorf("whole-template path: URL %q, want %q", rec.URL, want)
	}
}
