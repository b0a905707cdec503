package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/hookflow/hookflow/internal/codec"
	"github.com/hookflow/hookflow/internal/dashboard"
	"github.com/hookflow/hookflow/internal/project"
	"github.com/hookflow/hookflow/internal/telemetry"
)

// dashboardStepEnv sets the dashboard's chart step (a Go duration; default
// 1m): its charts hold 60 steps, the last hour by default. Demos and the
// browser test shorten it to fill the charts in minutes.
const dashboardStepEnv = "HOOKFLOW_DASHBOARD_STEP"

const dashboardPoints = 60

// startDashboard builds the dashboard of a dev, serve or worker process and
// starts recording its history until ctx ends.
func startDashboard(ctx context.Context, e env, role string, p *project.Project, m *telemetry.Metrics, c client.Client, namespace, uiBase string, logger *slog.Logger) (*dashboard.Handler, error) {
	step := time.Minute
	if s, ok := e.getenv(dashboardStepEnv); ok && s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d < 100*time.Millisecond {
			return nil, fmt.Errorf("%s=%q: want a duration of at least 100ms, such as 1m", dashboardStepEnv, s)
		}
		step = d
	}
	// Histories hold payloads and failure messages encrypted when the project
	// encrypts: read them as the process's own client writes them.
	dc := converter.GetDefaultDataConverter()
	if p.Codec != nil {
		dc = codec.DataConverter(p.Codec)
	}
	d := dashboard.New(dashboard.Options{
		Role:      role,
		History:   telemetry.NewHistory(m, step, dashboardPoints*step),
		Temporal:  c,
		Namespace: namespace,
		UIBase:    uiBase,
		Replay:    dashboardReplay(e, &operator{Client: c, Namespace: namespace, DataConverter: dc}, uiBase),
		Failures:  codec.FailureConverter(dc),
		Logger:    logger,
	}, dashboardProject(p))
	go d.Run(ctx)
	return d, nil
}

// dashboardProject is what the dashboard shows of p.
func dashboardProject(p *project.Project) dashboard.Project {
	out := dashboard.Project{Triggers: p.Triggers.Names(), AdminToken: p.AdminToken, SearchAttributes: map[string]string{}}
	for _, name := range p.Integrations.Names() {
		out.Integrations = append(out.Integrations, dashboard.Integration{Name: name, Checked: p.Integrations.Checked(name)})
	}
	for _, a := range p.SearchAttributes {
		out.SearchAttributes[a.Name] = a.Type
	}
	return out
}

// mountDashboard serves d at /dashboard/ on mux.
func mountDashboard(mux *http.ServeMux, d *dashboard.Handler) {
	mux.Handle("/dashboard", d)
	mux.Handle("/dashboard/", d)
}

// dashboardReplay is the dashboard's replay button: `hookflow replay
// WORKFLOW_ID` with the failed run's own plan.
func dashboardReplay(e env, c *operator, uiBase string) dashboard.Replayer {
	return func(ctx context.Context, workflowID string) (string, error) {
		var out strings.Builder
		err := replayOne(ctx, env{getenv: e.getenv, stdout: &out, stderr: io.Discard}, c, workflowID,
			replayOptions{original: true, uiBase: uiBase, ns: c.Namespace})
		msg := strings.TrimSpace(out.String())
		switch {
		case errors.Is(err, errSkipped):
			return "", errors.New(msg)
		case err != nil:
			return "", err
		}
		return msg, nil
	}
}
