package main

import (
	"context"
	"encoding/json"
	"html/template"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/hookflow/hookflow/activities"
	"github.com/hookflow/hookflow/internal/project"
	"github.com/hookflow/hookflow/workflows"
)

// startHealthMonitor hands the project's health checks to the monitor
// workflow, starting it if it does not run. With no checks it is told so.
func startHealthMonitor(ctx context.Context, c client.Client, p *project.Project, logger *slog.Logger) {
	checks := map[string]time.Duration{}
	for name, hc := range p.Integrations.HealthChecks() {
		checks[name] = hc.Interval
	}
	cfg := workflows.HealthConfig{Checks: checks, Notify: p.HealthNotify}
	if p.HealthNotify != nil {
		name := p.HealthNotify.Integration()
		cfg.NotifyPolicy = activities.Policy{Retry: p.Integrations.Retry(name), Timeout: p.Integrations.Timeout(name), TaskQueue: p.Integrations.TaskQueue(activities.TaskQueue, name)}
	}
	if len(checks) == 0 {
		// Tell a monitor left from an earlier project, if any; start none.
		_ = c.SignalWorkflow(ctx, activities.HealthWorkflowID, "", workflows.HealthConfigSignal, cfg)
		return
	}
	_, err := c.SignalWithStartWorkflow(ctx, activities.HealthWorkflowID, workflows.HealthConfigSignal, cfg, client.StartWorkflowOptions{
		ID:                       activities.HealthWorkflowID,
		TaskQueue:                workflows.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		StaticSummary:            "integration health checks",
	}, workflows.HealthWorkflowName, workflows.HealthInput{Config: cfg})
	if err != nil {
		logger.Error("start the health monitor", "error", err)
		return
	}
	logger.Info("health monitor running", "integrations", len(checks))
}

// statusHandler serves /status: integration health from the monitor, as
// JSON, or as a small page for browsers.
func statusHandler(c client.Client) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		states := map[string]activities.HealthState{}
		note := ""
		if v, err := c.QueryWorkflow(r.Context(), activities.HealthWorkflowID, "", activities.HealthQuery); err != nil {
			note = "no health monitor runs: add health_check to an integration"
		} else if err := v.Get(&states); err != nil {
			note = "health monitor answered unreadably: " + err.Error()
		}
		if strings.Contains(r.Header.Get("Accept"), "text/html") {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_ = statusPage.Execute(w, map[string]any{"States": sortedStates(states), "Note": note})
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"integrations": states, "note": note})
	})
}

type namedState struct {
	Name string
	activities.HealthState
}

func sortedStates(states map[string]activities.HealthState) []namedState {
	out := make([]namedState, 0, len(states))
	for name, st := range states {
		out = append(out, namedState{name, st})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

var statusPage = template.Must(template.New("status").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>hookflow status</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}td,th{padding:.3em 1em;text-align:left}.up{color:#070}.down{color:#b00}</style></head>
<body><h1>hookflow status</h1>{{with .Note}}<p>{{.}}</p>{{end}}
<table><tr><th>integration</th><th>state</th><th>since</th><th>last check</th><th>detail</th></tr>
{{range .States}}<tr><td>{{.Name}}</td>{{if .Up}}<td class="up">up</td>{{else}}<td class="down">down</td>{{end}}<td>{{.Since.Format "2006-01-02 15:04:05"}}</td><td>{{.Checked.Format "15:04:05"}}</td><td>{{.Message}}</td></tr>
{{end}}</table></body></html>`))
