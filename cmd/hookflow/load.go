package main

import (
	"fmt"
	"time"

	"github.com/hookflow/hookflow/activities"
	"github.com/hookflow/hookflow/internal/codec"
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
	for _, w := range p.Warnings {
		fmt.Fprintln(e.stderr, w)
	}
	return p, nil
}

// activitiesFor is the worker's activities over p.
func activitiesFor(p *project.Project, metrics *telemetry.Metrics, temporal activities.Temporal) *activities.Activities {
	deps := activities.Deps{Temporal: temporal}
	if metrics != nil {
		deps.Metrics = metrics
	}
	if p.Codec != nil {
		deps.DataConverter = codec.DataConverter(p.Codec)
	}
	return activities.New(activitiesProject(p), deps)
}

// activitiesProject is what the activities need of a loaded project.
func activitiesProject(p *project.Project) activities.Project {
	corr := map[string]time.Duration{}
	for _, name := range p.Triggers.Correlating() {
		t, _ := p.Triggers.Get(name)
		corr[name] = t.CorrelateBuffer
	}
	return activities.Project{
		Rules:            p.Rules,
		Integrations:     p.Integrations,
		SearchAttributes: p.SearchAttributes,
		Correlation:      corr,
		HealthNotify:     p.HealthNotify,
	}
}
