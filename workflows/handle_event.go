package workflows

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hookflow/hookflow/activities"
	"github.com/hookflow/hookflow/rules"
)

// Registered names: public API, recorded in every history.
const (
	TaskQueue    = "hookflow"
	WorkflowName = "HandleEvent"
)

// Input is the workflow's input: the verified, validated event.
type Input struct {
	Event rules.Input `json:"event"`
}

// Result is what a run returns, visible in the Web UI.
type Result struct {
	Status  string       `json:"status"`
	Version string       `json:"rules_version,omitempty"`
	Rules   []RuleResult `json:"rules,omitempty"`
}

// RuleResult is the outcome of one matched rule.
type RuleResult struct {
	Name    string                     `json:"name"`
	Status  string                     `json:"status"`
	Steps   map[string]rules.StepState `json:"steps"`
	Failure *rules.Failure             `json:"failure,omitempty"`
}

// HandleEvent runs the rules that match one event.
func HandleEvent(ctx workflow.Context, in Input) (Result, error) {
	plan, err := matchRules(ctx, in)
	if err != nil {
		setStatus(ctx, StatusFailed)
		return Result{Status: StatusFailed}, err
	}
	names := make([]string, len(plan.Rules))
	for i, r := range plan.Rules {
		names[i] = r.Name
	}
	_ = workflow.UpsertTypedSearchAttributes(ctx,
		AttrRules.ValueSet(names),
		AttrRulesVersion.ValueSet(plan.Version))
	if len(plan.Rules) == 0 {
		setStatus(ctx, StatusNoMatch)
		return Result{Status: StatusNoMatch, Version: plan.Version}, nil
	}

	res := Result{Status: StatusCompleted, Version: plan.Version, Rules: make([]RuleResult, len(plan.Rules))}
	wg := workflow.NewWaitGroup(ctx)
	for i := range plan.Rules {
		wg.Add(1)
		workflow.Go(ctx, func(ctx workflow.Context) {
			defer wg.Done()
			res.Rules[i] = runRule(ctx, in, plan, plan.Rules[i])
		})
	}
	wg.Wait(ctx)

	var failed []string
	for _, r := range res.Rules {
		if r.Status == StatusFailed {
			failed = append(failed, fmt.Sprintf("rule %s step %s: %s", r.Name, r.Failure.Step, r.Failure.Message))
		}
	}
	if len(failed) > 0 {
		res.Status = StatusFailed
		setStatus(ctx, StatusFailed)
		return res, temporal.NewNonRetryableApplicationError(strings.Join(failed, "; "), "StepFailed", nil, res)
	}
	setStatus(ctx, StatusCompleted)
	return res, nil
}

func matchRules(ctx workflow.Context, in Input) (activities.Plan, error) {
	ctx = workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 3},
	})
	var plan activities.Plan
	err := workflow.ExecuteLocalActivity(ctx, activities.MatchRulesName, in.Event).Get(ctx, &plan)
	return plan, err
}

func setStatus(ctx workflow.Context, status string) {
	if err := workflow.UpsertTypedSearchAttributes(ctx, AttrStatus.ValueSet(status)); err != nil {
		workflow.GetLogger(ctx).Warn("set HookStatus", "error", err)
	}
}
