package main

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/internal/dashboard"
	"github.com/hookflow/hookflow/internal/project"
	"github.com/hookflow/hookflow/internal/telemetry"
)

func TestDashboardStepFromEnvironment(t *testing.T) {
	p, err := project.Load("../../samples/shop", noEnv)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for value, want := range map[string]string{
		"fast":  `HOOKFLOW_DASHBOARD_STEP="fast": want a duration of at least 100ms, such as 1m`,
		"10ms":  `HOOKFLOW_DASHBOARD_STEP="10ms": want a duration of at least 100ms, such as 1m`,
		"250ms": "",
	} {
		e := env{getenv: mapEnv(map[string]string{dashboardStepEnv: value})}
		_, err := startDashboard(ctx, e, dashboard.RoleServe, p, telemetry.New(), nil, "default", "", slog.New(slog.DiscardHandler))
		if got := errText(err); got != want {
			t.Errorf("%s=%s: error %q, want %q", dashboardStepEnv, value, got, want)
		}
	}
	if got := dashboardProject(p); strings.Join(got.Triggers, ",") != "shop-inventory,shop-orders" || len(got.Integrations) != 4 || got.SearchAttributes["OrderId"] != "int" {
		t.Errorf("the dashboard sees the project as %+v", got)
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
