package main

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/hookflow/hookflow/activities"
	"github.com/hookflow/hookflow/internal/project"
	"github.com/hookflow/hookflow/triggers"
)

// reloadInterval is how often the project files are checked for edits.
const reloadInterval = time.Second

// watchProject applies valid edits of the project to the running worker
// (acts; workers for rate limits) and webhook server (hooks), any of which
// may be nil; an invalid edit is logged with every problem and the running
// project stays. Runs in flight keep the plan they started with. also are
// told of each reloaded project too (the dashboard, the inspector).
func watchProject(ctx context.Context, e env, p *project.Project, acts *activities.Activities, workers *workerPool, hooks *triggers.Server, logger *slog.Logger, also ...func(*project.Project)) {
	dir := p.Dir
	project.Watch(ctx, p, e.getenv, reloadInterval,
		func(p *project.Project) {
			if workers != nil {
				// Before the swap: new runs may route steps to a new queue at once.
				workers.apply(p.Integrations.Limited())
			}
			if acts != nil {
				acts.Swap(activitiesProject(p))
			}
			if hooks != nil {
				hooks.SetTriggers(p.Triggers)
			}
			for _, f := range also {
				f(p)
			}
			logger.Info("project reloaded", "project", dir, "rules_version", p.Rules.Version(), "rules", p.Rules.Rules(), "triggers", p.Triggers.Names())
		},
		func(err error) {
			logger.Error("project edit rejected; the running rules stay", "project", dir, "problems", strings.Split(err.Error(), "\n"))
		})
}
