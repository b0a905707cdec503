package main

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/hookflow/hookflow/activities"
	"github.com/hookflow/hookflow/internal/project"
)

// reloadInterval is how often the project files are checked for edits.
const reloadInterval = time.Second

// watchProject applies valid edits of the project to the running worker; an
// invalid edit is logged with every problem and the running rules stay.
// Runs in flight keep the plan they started with.
func watchProject(ctx context.Context, e env, p *project.Project, acts *activities.Activities, logger *slog.Logger) {
	dir := p.Dir
	project.Watch(ctx, p, e.getenv, reloadInterval,
		func(p *project.Project) {
			acts.Swap(activities.Project{Rules: p.Rules, Integrations: p.Integrations})
			logger.Info("project reloaded", "project", dir, "rules_version", p.Rules.Version(), "rules", p.Rules.Rules())
		},
		func(err error) {
			logger.Error("project edit rejected; the running rules stay", "project", dir, "problems", strings.Split(err.Error(), "\n"))
		})
}
