package main

import (
	"fmt"

	"github.com/hookflow/hookflow/activities"
	"github.com/hookflow/hookflow/internal/project"
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

func activitiesFor(p *project.Project) *activities.Activities {
	return activities.New(activities.Project{Rules: p.Rules, Integrations: p.Integrations})
}
