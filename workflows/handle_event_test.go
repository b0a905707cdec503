package workflows

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/hookflow/hookflow/activities"
	"github.com/hookflow/hookflow/integrations"
	"github.com/hookflow/hookflow/rules"
)

// fakeActivities stands in for the real ones: a fixed plan and a scripted CallStep.
type fakeActivities struct {
	plan activities.Plan
	call func(in activities.StepInput) (activities.StepResult, error)

	mu    sync.Mutex
	calls []activities.StepInput
}

func (f *fakeActivities) MatchRules(context.Context, rules.Input) (activities.Plan, error) {
	return f.plan, nil
}

func (f *fakeActivities) CallStep(_ context.Context, in activities.StepInput) (activities.StepResult, error) {
	if in.Step.If == "false" {
		return activities.StepResult{Skipped: true}, nil
	}
	f.mu.Lock()
	f.calls = append(f.calls, in)
	f.mu.Unlock()
	return f.call(in)
}

// Evaluate treats an expression as its own answer: "true" or "false", and a
// match expression "signal.ok" as the signal's ok field.
func (f *fakeActivities) Evaluate(_ context.Context, in activities.EvaluateInput) (bool, error) {
	if in.IsMatch {
		m, _ := in.Signal.(map[string]any)
		return m["ok"] == true, nil
	}
	return in.Expr == "true", nil
}

func (f *fakeActivities) stepsCalled() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []string
	for _, c := range f.calls {
		ids = append(ids, c.Rule+"/"+c.Step.ID)
	}
	return ids
}

func newEnv(t *testing.T, f *fakeActivities) *testsuite.TestWorkflowEnvironment {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	s.SetLogger(sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler)))
	env := s.NewTestWorkflowEnvironment()
	env.RegisterActivityWithOptions(f.MatchRules, activity.RegisterOptions{Name: activities.MatchRulesName})
	env.RegisterActivityWithOptions(f.CallStep, activity.RegisterOptions{Name: activities.CallStepName})
	env.RegisterActivityWithOptions(f.Evaluate, activity.RegisterOptions{Name: activities.EvaluateName})
	return env
}

var testInput = Input{Event: rules.Input{
	Event:   rules.Event{ID: "evt-1", Type: "orders/paid", Trigger: "shop", ReceivedAt: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)},
	Payload: map[string]any{"email": "a@example.com"},
}}

var fastPolicy = activities.Policy{
	Retry:   integrations.RetryPolicy{Initial: time.Second, Backoff: 2, MaxInterval: time.Minute, MaxAttempts: 3, Expire: time.Hour},
	Timeout: 10 * time.Second,
}

func plan(rs ...rules.PlannedRule) activities.Plan {
	return activities.Plan{Plan: rules.Plan{Version: "v1", Rules: rs}, Policies: map[string]activities.Policy{"crm": fastPolicy, "ops": fastPolicy}}
}

func ok(out any) (activities.StepResult, error) {
	return activities.StepResult{Result: integrations.Result{Output: out}}, nil
}

func TestNoMatchEndsNoMatch(t *testing.T) {
	f := &fakeActivities{plan: plan()}
	env := newEnv(t, f)
	env.ExecuteWorkflow(HandleEvent, testInput)
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var res Result
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	if res.Status != StatusNoMatch || len(f.stepsCalled()) != 0 {
		t.Fatalf("status %q, calls %v; want no-match and no calls", res.Status, f.stepsCalled())
	}
}

func TestNeedsOrderAndOutputsFlow(t *testing.T) {
	f := &fakeActivities{plan: plan(rules.PlannedRule{Name: "vip", Steps: []rules.Step{
		{ID: "notify", Call: "ops.send", Needs: []string{"contact"}},
		{ID: "contact", Call: "crm.send"},
	}})}
	f.call = func(in activities.StepInput) (activities.StepResult, error) {
		if in.Step.ID == "notify" {
			if got := in.Steps["contact"]; got.Status != "succeeded" || got.Output.(map[string]any)["id"] != "c-1" {
				return activities.StepResult{}, temporal.NewNonRetryableApplicationError("notify ran without contact's output", "Test", nil)
			}
		}
		if in.WorkflowID == "" {
			return activities.StepResult{}, errors.New("no workflow id in step input")
		}
		return ok(map[string]any{"id": "c-1"})
	}
	env := newEnv(t, f)
	env.ExecuteWorkflow(HandleEvent, testInput)
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var res Result
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	got := f.stepsCalled()
	if len(got) != 2 || got[0] != "vip/contact" || got[1] != "vip/notify" {
		t.Fatalf("calls %v, want contact then notify", got)
	}
	if res.Status != StatusCompleted || res.Rules[0].Steps["notify"].Status != "succeeded" {
		t.Fatalf("result %+v", res)
	}
}

func TestStepsWithoutNeedsRunTogether(t *testing.T) {
	f := &fakeActivities{plan: plan(rules.PlannedRule{Name: "fan", Steps: []rules.Step{
		{ID: "a", Call: "crm.send"}, {ID: "b", Call: "ops.send"}, {ID: "c", Call: "ops.send", Needs: []string{"a", "b"}},
	}})}
	f.call = func(in activities.StepInput) (activities.StepResult, error) {
		if in.Step.ID == "c" && len(in.Steps) != 2 {
			return activities.StepResult{}, temporal.NewNonRetryableApplicationError("c ran before a and b", "Test", nil)
		}
		return ok(nil)
	}
	env := newEnv(t, f)
	env.ExecuteWorkflow(HandleEvent, testInput)
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if got := f.stepsCalled(); len(got) != 3 || got[2] != "fan/c" {
		t.Fatalf("calls %v, want a and b, then c", got)
	}
}

func TestFailureRunsOnFailureAndFailsRun(t *testing.T) {
	f := &fakeActivities{plan: plan(rules.PlannedRule{
		Name:      "vip",
		Steps:     []rules.Step{{ID: "contact", Call: "crm.send"}, {ID: "notify", Call: "ops.send", Needs: []string{"contact"}}},
		OnFailure: []rules.Step{{ID: "on_failure_1", Call: "ops.send"}},
	})}
	var failureSeen *rules.Failure
	f.call = func(in activities.StepInput) (activities.StepResult, error) {
		switch in.Step.ID {
		case "contact":
			return activities.StepResult{}, temporal.NewNonRetryableApplicationError("HTTP 400: email is invalid", "HTTP400", nil)
		case "on_failure_1":
			failureSeen = in.Failure
		}
		return ok(nil)
	}
	env := newEnv(t, f)
	env.ExecuteWorkflow(HandleEvent, testInput)
	if env.GetWorkflowError() == nil {
		t.Fatal("run succeeded; want it failed")
	}
	got := f.stepsCalled()
	if len(got) != 2 || got[0] != "vip/contact" || got[1] != "vip/on_failure_1" {
		t.Fatalf("calls %v, want contact then on_failure_1 (notify never)", got)
	}
	if failureSeen == nil || failureSeen.Step != "contact" || failureSeen.Message != "HTTP 400: email is invalid" {
		t.Fatalf("on_failure saw failure %+v", failureSeen)
	}
}

func TestRetryableFailureIsRetried(t *testing.T) {
	f := &fakeActivities{plan: plan(rules.PlannedRule{Name: "r", Steps: []rules.Step{{ID: "contact", Call: "crm.send"}}})}
	attempts := 0
	f.call = func(in activities.StepInput) (activities.StepResult, error) {
		attempts++
		if attempts < 3 {
			return activities.StepResult{}, temporal.NewApplicationError("HTTP 503", "HTTP503")
		}
		return ok(map[string]any{"id": 1})
	}
	env := newEnv(t, f)
	env.ExecuteWorkflow(HandleEvent, testInput)
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if attempts != 3 {
		t.Fatalf("%d attempts, want 3", attempts)
	}
}
