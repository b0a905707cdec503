package main

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"gopkg.in/yaml.v3"

	"github.com/hookflow/hookflow/internal/telemetry"
)

const (
	alertsFile  = "../../deploy/prometheus/hookflow-alerts.yaml"
	grafanaFile = "../../deploy/grafana/hookflow-dashboard.json"
)

// exportedFamilies records one of every hookflow metric and returns each
// family's type and label names, as a scrape of /metrics shows them.
func exportedFamilies(t *testing.T) map[string]*dto.MetricFamily {
	t.Helper()
	m := telemetry.New()
	m.WebhookReceived("t", 202)
	m.VerificationFailed("t", "github")
	m.RunStarted("t", false)
	m.RunStarted("t", true)
	m.StepCall("crm", "send", telemetry.OutcomeSuccess, 2, time.Second)
	m.IntegrationUp("crm", true)
	m.SDKHandler().WithTags(map[string]string{"status": "failed"}).Counter(telemetry.RunsFinished).Inc(1)
	families, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*dto.MetricFamily{}
	for _, f := range families {
		if strings.HasPrefix(f.GetName(), "hookflow_") {
			out[f.GetName()] = f
		}
	}
	return out
}

func labelNames(f *dto.MetricFamily) []string {
	var out []string
	for _, l := range f.GetMetric()[0].GetLabel() {
		out = append(out, l.GetName())
	}
	return out
}

// promExpr is one PromQL expression of the artefacts, with where it is.
type promExpr struct{ where, expr string }

func alertExprs(t *testing.T) []promExpr {
	t.Helper()
	var doc struct {
		Groups []struct {
			Name  string
			Rules []struct {
				Alert       string
				Expr        string
				For         string
				Labels      map[string]string
				Annotations map[string]string
			}
		}
	}
	data := must(os.ReadFile(alertsFile))
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("%s: %v", alertsFile, err)
	}
	var out []promExpr
	seen := map[string]bool{}
	for _, g := range doc.Groups {
		for _, r := range g.Rules {
			where := alertsFile + ": " + r.Alert
			switch {
			case !strings.HasPrefix(r.Alert, "Hookflow") || seen[r.Alert]:
				t.Errorf("%s: alert names start with Hookflow and are unique", where)
			case r.Expr == "":
				t.Errorf("%s: no expr", where)
			case !slices.Contains([]string{"page", "ticket", "warning"}, r.Labels["severity"]):
				t.Errorf("%s: severity %q, want page, ticket or warning", where, r.Labels["severity"])
			case r.Annotations["summary"] == "" || r.Annotations["description"] == "":
				t.Errorf("%s: a summary and a description tell the person paged what to do", where)
			}
			if r.For != "" {
				if _, err := time.ParseDuration(r.For); err != nil {
					t.Errorf("%s: for %q: %v", where, r.For, err)
				}
			}
			seen[r.Alert] = true
			out = append(out, promExpr{where, r.Expr})
		}
	}
	if len(out) < 8 {
		t.Fatalf("%s has %d alerts; the groups lost their rules?", alertsFile, len(out))
	}
	return out
}

// grafanaExprs walks the dashboard's panels (rows nest theirs) for their
// queries, and its variables for theirs.
func grafanaExprs(t *testing.T) []promExpr {
	t.Helper()
	type panel struct {
		Title   string
		Type    string
		Panels  json.RawMessage
		Targets []struct{ Expr, RefID string }
	}
	var doc struct {
		UID        string
		Title      string
		Panels     []panel
		Templating struct {
			List []struct{ Name, Definition string }
		}
	}
	if err := json.Unmarshal(must(os.ReadFile(grafanaFile)), &doc); err != nil {
		t.Fatalf("%s: %v", grafanaFile, err)
	}
	if doc.UID == "" || doc.Title == "" {
		t.Errorf("%s: the dashboard needs a uid and a title", grafanaFile)
	}
	var out []promExpr
	var walk func([]panel)
	walk = func(ps []panel) {
		for _, p := range ps {
			if p.Type != "row" && len(p.Targets) == 0 {
				t.Errorf("%s: panel %q queries nothing", grafanaFile, p.Title)
			}
			for _, tg := range p.Targets {
				out = append(out, promExpr{grafanaFile + ": " + p.Title, tg.Expr})
			}
			var nested []panel
			if len(p.Panels) > 0 && json.Unmarshal(p.Panels, &nested) == nil {
				walk(nested)
			}
		}
	}
	walk(doc.Panels)
	for _, v := range doc.Templating.List {
		if v.Definition != "" {
			out = append(out, promExpr{grafanaFile + ": variable " + v.Name, v.Definition})
		}
	}
	if len(out) < 10 {
		t.Fatalf("%s has %d queries; the panels lost their targets?", grafanaFile, len(out))
	}
	return out
}

var (
	metricRE   = regexp.MustCompile(`\b((?:hookflow|temporal)_[a-z_]*[a-z])\b`)
	selectorRE = regexp.MustCompile(`\b((?:hookflow|temporal)_[a-z_]*[a-z])\{([^}]*)\}`)
	matcherRE  = regexp.MustCompile(`([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)`)
	groupingRE = regexp.MustCompile(`\b(?:by|without)\s*\(([^)]*)\)`)
)

// TestMonitoringArtefacts checks every metric the Grafana dashboard and the
// Prometheus alert rules in deploy/ use: hookflow's exist in
// internal/telemetry with the labels the queries match and group by, the
// Temporal SDK's among its metric names; and the dashboard charts every
// metric hookflow exports.
func TestMonitoringArtefacts(t *testing.T) {
	families := exportedFamilies(t)
	sdk := sdkMetricParts(t)
	exprs := append(alertExprs(t), grafanaExprs(t)...)
	used := map[string]bool{}
	for _, e := range exprs {
		if strings.Count(e.expr, "(") != strings.Count(e.expr, ")") || strings.Count(e.expr, "{") != strings.Count(e.expr, "}") {
			t.Errorf("%s: unbalanced brackets in %s", e.where, e.expr)
		}
		labels := map[string]bool{"le": true}
		for _, name := range metricRE.FindAllString(e.expr, -1) {
			if strings.HasPrefix(name, "temporal_") {
				base := name
				for _, suffix := range []string{"_bucket", "_count", "_sum"} {
					base = strings.TrimSuffix(base, suffix)
				}
				if !concatOf(strings.TrimPrefix(base, "temporal_"), sdk) {
					t.Errorf("%s: %s is not among the Temporal SDK's metrics", e.where, name)
				}
				for _, l := range []string{"namespace", "task_queue", "worker_type", "activity_type", "workflow_type", "operation"} {
					labels[l] = true
				}
				continue
			}
			f, ok := families[name]
			if !ok {
				for _, suffix := range []string{"_bucket", "_count", "_sum"} {
					if h, ok2 := families[strings.TrimSuffix(name, suffix)]; ok2 && strings.HasSuffix(name, suffix) && h.GetType() == dto.MetricType_HISTOGRAM {
						f, ok = h, true
					}
				}
			}
			if !ok {
				t.Errorf("%s: %s is no metric internal/telemetry exports", e.where, name)
				continue
			}
			if f.GetType() == dto.MetricType_HISTOGRAM && name == f.GetName() {
				t.Errorf("%s: %s is a histogram: query %s_bucket", e.where, name, name)
			}
			used[f.GetName()] = used[f.GetName()] || strings.Contains(e.where, grafanaFile)
			for _, l := range labelNames(f) {
				labels[l] = true
			}
			for _, sel := range selectorRE.FindAllStringSubmatch(e.expr, -1) {
				if sel[1] != name {
					continue
				}
				for _, m := range matcherRE.FindAllStringSubmatch(sel[2], -1) {
					if !slices.Contains(labelNames(f), m[1]) && !(m[1] == "le" && strings.HasSuffix(name, "_bucket")) {
						t.Errorf("%s: %s has no label %q (it has %v)", e.where, name, m[1], labelNames(f))
					}
				}
			}
		}
		for _, g := range groupingRE.FindAllStringSubmatch(e.expr, -1) {
			for _, l := range strings.Split(g[1], ",") {
				if l = strings.TrimSpace(l); l != "" && l != "job" && l != "instance" && !labels[l] {
					t.Errorf("%s: groups by %q, which none of its metrics has", e.where, l)
				}
			}
		}
	}
	for name := range families {
		if !used[name] {
			t.Errorf("%s charts nothing of %s", grafanaFile, name)
		}
	}
}
