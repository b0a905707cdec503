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

func loadHealthProject(t *testing.T, path string) (*Project, error) {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "rules"), 0o755); err != nil {
		t.Fatal(err)
	}
	file := urlProject + "health:\n  notify: erp.request\n  with:\n    method: POST\n    path: \"" + path + "\"\n    body: { text: \"${{ payload.message }}\" }\n"
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte(file), 0o644); err != nil {
		t.Fatal(err)
	}
	return Load(dir, func(string) (string, bool) { return "", false })
}

// health.notify is written outside a rule file, and its message comes from
// a failing vendor: a value in its path is one segment, as in rule steps.
func TestHealthNotifyPathIsOneSegment(t *testing.T) {
	p, err := loadHealthProject(t, "/alerts/${{ payload.message }}/notify")
	if err != nil {
		t.Fatal(err)
	}
	for _, msg := range []string{"a/b?force=true&all=1#", "x;y", "status 503: Service Unavailable"} {
		in := rules.Input{Event: rules.Event{ID: "alert-1", Type: "integration.down", Trigger: "health", ReceivedAt: time.Unix(0, 0)},
			Payload: map[string]any{"message": msg}}
		with, err := p.Rules.Render(p.HealthNotify.With, rules.Scope{Input: in})
		if err != nil {
			t.Fatalf("%q: %v", msg, err)
		}
		rec, err := p.Integrations.Build(integrations.Call{Integration: "erp", Operation: "request", Input: with.(map[string]any)})
		if err != nil {
			t.Fatalf("%q: %v", msg, err)
		}
		u, err := url.Parse(rec.URL)
		if err != nil {
			t.Fatal(err)
		}
		rest, ok := strings.CutPrefix(u.EscapedPath(), "/base/api/v1/alerts/")
		seg, tail, _ := strings.Cut(rest, "/")
		if got, _ := url.PathUnescape(seg); !ok || tail != "notify" || got != msg || u.RawQuery != "" || u.Fragment != "" {
			t.Errorf("message %q was sent to %q; want it as the one segment of /base/api/v1/alerts/{message}/notify", msg, rec.URL)
		}
	}
	// A dot segment in a message is refused, not resolved.
	in := rules.Input{Event: rules.Event{ID: "alert-2"}, Payload: map[string]any{"message": "../../admin"}}
	if _, err := p.Rules.Render(p.HealthNotify.With, rules.Scope{Input: in}); err == nil {
		t.Error("a message of ../../admin rendered into the path")
	}

	if _, err := loadHealthProject(t, "/alerts/../admin"); err == nil || !strings.Contains(err.Error(), "health.with.path") || !strings.Contains(err.Error(), "dot segment") {
		t.Errorf("a literal dot segment in health.with.path: %v; want a load error naming the field", err)
	}
	if _, err := loadHealthProject(t, "/alerts?all=1"); err == nil || !strings.Contains(err.Error(), "with.query") {
		t.Errorf("a literal query in health.with.path: %v; want a load error pointing to with.query", err)
	}
}
