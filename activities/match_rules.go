package activities

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/activity"

	"github.com/hookflow/hookflow/rules"
)

// MatchRules evaluates the rules against the event and returns the plan. It
// runs where the front door did not plan the event itself (a replay with
// --rules current, a run started by an older front door).
func (a *Activities) MatchRules(ctx context.Context, in rules.Input) (Plan, error) {
	plan, problems := a.PlanFor(in)
	log := activity.GetLogger(ctx)
	for _, p := range problems {
		log.Warn("search attribute not set", "problem", p)
	}
	for _, r := range plan.Rules {
		if r.Error != "" {
			log.Warn("rule failed to match", "rule", r.Name, "error", r.Error)
		}
	}
	return plan, nil
}

// PlanFor matches the event against the current project: which rules run,
// the retry policy of every integration they call, and the project's search
// attributes. It never fails as a whole: a rule whose `when` fails is
// planned with its Error (it fails alone), and an attribute whose expression
// fails or gives nothing is left out and reported in problems.
func (a *Activities) PlanFor(in rules.Input) (plan Plan, problems []string) {
	p := a.current()
	matched, err := p.Rules.Match(in)
	if err != nil { // Match reports rule errors in the plan; this is a bug guard
		matched = rules.Plan{Version: p.Rules.Version()}
		problems = append(problems, fmt.Sprintf("match rules: %v", err))
	}
	plan = Plan{Plan: matched, Policies: map[string]Policy{}}
	for _, r := range matched.Rules {
		for _, steps := range [][]rules.Step{r.Steps, r.OnFailure, r.OnCancel} {
			for _, s := range steps {
				if s.Call == "" {
					continue
				}
				name := s.Integration()
				if _, ok := plan.Policies[name]; !ok {
					plan.Policies[name] = Policy{
						Retry:     p.Integrations.Retry(name),
						Timeout:   p.Integrations.Timeout(name),
						TaskQueue: p.Integrations.TaskQueue(TaskQueue, name),
						Checked:   p.Integrations.Checked(name),
					}
				}
			}
		}
	}
	plan.Attributes, problems = attributes(p, in, problems)
	return plan, problems
}

// attributes computes the project's search attributes as exact text.
func attributes(p *Project, in rules.Input, problems []string) ([]AttributeValue, []string) {
	var out []AttributeValue
	for _, sa := range p.SearchAttributes {
		v, err := p.Rules.Render("${{ "+sa.Value+" }}", rules.Scope{Input: in})
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", sa.Name, err))
			continue
		}
		if v == nil || v == "" {
			continue
		}
		av := AttributeValue{Name: sa.Name, Type: sa.Type}
		if list, ok := v.([]any); ok && sa.Type == "keyword_list" {
			for _, item := range list {
				s, err := rules.Format(item)
				if err != nil {
					problems = append(problems, fmt.Sprintf("%s: %v", sa.Name, err))
					continue
				}
				av.List = append(av.List, s)
			}
		} else if av.Text, err = rules.Format(v); err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", sa.Name, err))
			continue
		}
		out = append(out, av)
	}
	return out, problems
}
