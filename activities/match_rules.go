package activities

import (
	"context"
	"fmt"

	"github.com/hookflow/hookflow/rules"
)

// MatchRules evaluates the rules against the event and returns the plan.
func (a *Activities) MatchRules(_ context.Context, in rules.Input) (Plan, error) {
	p := a.current()
	plan, err := p.Rules.Match(in)
	if err != nil {
		return Plan{}, fmt.Errorf("match rules: %w", err)
	}
	out := Plan{Plan: plan, Policies: map[string]Policy{}}
	for _, r := range plan.Rules {
		for _, steps := range [][]rules.Step{r.Steps, r.OnFailure} {
			for _, s := range steps {
				name := s.Integration()
				if _, ok := out.Policies[name]; !ok {
					out.Policies[name] = Policy{Retry: p.Integrations.Retry(name), Timeout: p.Integrations.Timeout(name)}
				}
			}
		}
	}
	return out, nil
}
