package main

import (
	"fmt"

	"github.com/hookflow/hookflow/activities"
	"github.com/hookflow/hookflow/internal/project"
	"github.com/hookflow/hookflow/internal/telemetry"
)

// loadProject loads a project or prints every problem and fails.
func loadProject(e env, dir string) (*project.Project, error) {
	p, err := project.Load(dir, e.getenv)
	if err != nil {
		n := printProblems(e, err)
		return nil, fmt.Errorf("project %s has %d problem(s); fix them (hookflow check --project %s)", dir, n, dir)
	}
	return p, nil
}

func activitiesFor(p *project.Project, metrics *telemetry.Metrics, temporal activities.Temporal) *activities.Activities {
	var rec activities.Recorder
	if metrics != nil {
		rec = metrics
	}
	return activities.New(activities.Project{Rules: p.Rules, Integrations: p.Integrations, SearchAttributes: p.SearchAttributes}, rec, temporal)
}
