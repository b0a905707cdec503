package integrations_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/hookflow/hookflow/integrations"
	"github.com/hookflow/hookflow/integrations/catalog"
)

func TestProbe(t *testing.T) {
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/health" {
			t.Errorf("probe sent %s %s", r.Method, r.URL.Path)
		}
		w.WriteHeader(status)
	}))
	defer srv.Close()
	src := "crm:\n  kind: webhook\n  url: " + srv.URL + "\n  health_check: { url: " + srv.URL + "/health, interval: 10s }\nops:\n  kind: webhook\n  url: " + srv.URL + "\n"
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(src), &n); err != nil {
		t.Fatal(err)
	}
	set, err := catalog.Load("hookflow.yaml", n.Content[0], []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")})
	if err != nil {
		t.Fatal(err)
	}
	if names := set.HealthNames(); len(names) != 1 || names[0] != "crm" {
		t.Fatalf("health names %v", names)
	}
	for _, tc := range []struct {
		status int
		up     bool
	}{{200, true}, {401, true}, {404, true}, {500, false}, {503, false}} {
		status = tc.status
		p, err := set.Probe(context.Background(), "crm")
		if err != nil || p.Up != tc.up || p.Status != tc.status {
			t.Errorf("status %d: probe %+v %v, want up=%v", tc.status, p, err, tc.up)
		}
	}
	srv.Close()
	if p, err := set.Probe(context.Background(), "crm"); err != nil || p.Up || !strings.Contains(p.Message, "refused") {
		t.Errorf("closed server: %+v %v", p, err)
	}
	if _, err := set.Probe(context.Background(), "ops"); err == nil {
		t.Error("probing an integration without health_check succeeded")
	}
}

func TestHealthCheckConfigErrors(t *testing.T) {
	for _, tc := range []struct{ hc, want string }{
		{"{ url: ftp://x }", "absolute http or https URL"},
		{"{ url: http://x/h, method: POST }", "use GET or HEAD"},
		{"{ url: http://x/h, interval: 1s }", "below the minimum"},
	} {
		var n yaml.Node
		src := "crm:\n  kind: webhook\n  url: http://example.com\n  health_check: " + tc.hc + "\n"
		if err := yaml.Unmarshal([]byte(src), &n); err != nil {
			t.Fatal(err)
		}
		_, err := catalog.Load("hookflow.yaml", n.Content[0], nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "hookflow.yaml:4:") {
			t.Errorf("%s: error %v, want %q at line 4", tc.hc, err, tc.want)
		}
	}
}

func TestRecordBodyLimit(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(strings.Repeat("r", 300)))
	}))
	defer srv.Close()
	var n yaml.Node
	src := "small:\n  kind: webhook\n  url: " + srv.URL + "\n  record_body_limit: 100\n"
	if err := yaml.Unmarshal([]byte(src), &n); err != nil {
		t.Fatal(err)
	}
	set, err := catalog.Load("hookflow.yaml", n.Content[0], []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")})
	if err != nil {
		t.Fatal(err)
	}
	res, err := set.Call(context.Background(), integrations.Call{Integration: "small", Operation: "send", Input: map[string]any{"body": strings.Repeat("q", 300)}, IdempotencyKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Request.Body) != 100 || len(res.Response.Body) != 100 || !res.Response.Truncated {
		t.Fatalf("recorded %d request and %d response bytes (truncated %v); want 100 each", len(res.Request.Body), len(res.Response.Body), res.Response.Truncated)
	}
	if str, _ := res.Output.(string); len(str) != 300 {
		t.Fatalf("output %d bytes: the cap is for history, not for the step's output", len(str))
	}
}
