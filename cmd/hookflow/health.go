package main

import (
	"context"
	"encoding/json"
	"html/template"
	"log/slog"
	"net/http"
	"sort"
	"strings"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/hookflow/hookflow/activities"
	"github.com/hookflow/hookflow/internal/project"
	"github.com/hookflow/hookflow/workflows"
)

// startHealthMonitor starts the monitor workflow when the project checks an
// integration's health and it does not run yet. It tells the monitor
// nothing: each round, the monitor's activities read the checks and the
// notification from the project files this worker loaded.
func startHealthMonitor(ctx context.Context, c client.Client, p *project.Project, logger *slog.Logger) {
	checks := p.Integrations.HealthChecks()
	if len(checks) == 0 {
		return
	}
	_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       activities.HealthWorkflowID,
		TaskQueue:                workflows.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		StaticSummary:            "integration health checks",
	}, workflows.HealthWorkflowName, workflows.HealthInput{})
	if err != nil {
		logger.Error("start the health monitor", "error", err)
		return
	}
	logger.Info("health monitor running", "integrations", len(checks))
}

// statusHandler serves /status: integration health from the monitor, as
// JSON, or as a small page for browsers.
func statusHandler(snap *statusSnapshot) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		states, note := snap.get(r.Context())
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
