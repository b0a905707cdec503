package activities

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/activity"

	"github.com/hookflow/hookflow/rules"
)

// MatchRules evaluates the rules against the event and returns the plan.
func (a *Activities) MatchRules(ctx context.Context, in rules.Input) (Plan, error) {
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
					out.Policies[name] = Policy{Retry: p.Integrations.Retry(name), Timeout: p.Integrations.Timeout(name), TaskQueue: p.Integrations.TaskQueue(TaskQueue, name)}
				}
			}
		}
	}
	out.Attributes = attributes(ctx, p, in)
	return out, nil
}

// attributes computes the project's search attributes. An expression that
// fails is logged and skipped: a missing attribute must not stop the run.
func attributes(ctx context.Context, p *Project, in rules.Input) []AttributeValue {
	var out []AttributeValue
	for _, a := range p.SearchAttributes {
		v, err := p.Rules.Render("${{ "+a.Value+" }}", rules.Scope{Input: in})
		if err != nil || v == nil || v == "" {
			if err != nil {
				activity.GetLogger(ctx).Warn("search attribute not set", "attribute", a.Name, "error", err)
			}
			continue
		}
		out = append(out, AttributeValue{Name: a.Name, Type: a.Type, Value: v})
	}
	return out
}
