package workflows

import (
	"errors"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/hookflow/hookflow/activities"
	"github.com/hookflow/hookflow/rules"
)

func result(t *testing.T, f *fakeActivities, setup func(env interface {
	RegisterDelayedCallback(func(), time.Duration)
	SignalWorkflow(string, any)
})) Result {
	t.Helper()
	env := newEnv(t, f)
	if setup != nil {
		setup(env)
	}
	env.ExecuteWorkflow(HandleEvent, testInput)
	var res Result
	if err := env.GetWorkflowError(); err != nil {
		// A failed run carries its Result as the failure's details.
		var appErr *temporal.ApplicationError
		if !errors.As(err, &appErr) || appErr.Details(&res) != nil {
			t.Fatalf("run failed without a result: %v", err)
		}
		return res
	}
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	return res
}

func TestSleepIsADurableTimer(t *testing.T) {
	f := &fakeActivities{plan: plan(rules.PlannedRule{Name: "r", Steps: []rules.Step{
		{ID: "wait", Sleep: 72 * time.Hour},
		{ID: "after", Call: "crm.send", Needs: []string{"wait"}},
	}})}
	var calledAt time.Time
	env := newEnv(t, f)
	start := env.Now()
	f.call = func(activities.StepInput) (activities.StepResult, error) {
		calledAt = env.Now()
		return ok(nil)
	}
	env.ExecuteWorkflow(HandleEvent, testInput)
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if d := calledAt.Sub(start); d < 72*time.Hour {
		t.Fatalf("step after the sleep ran %s after start, want ≥ 72h", d)
	}
}

func TestWaitForSignalResumesWithPayload(t *testing.T) {
	f := &fakeActivities{plan: plan(rules.PlannedRule{Name: "r", Steps: []rules.Step{
		{ID: "approval", WaitFor: &rules.WaitFor{Signal: "approved", Timeout: 24 * time.Hour, Match: "signal.ok"}},
		{ID: "after", Call: "crm.send", Needs: []string{"approval"}},
	}})}
	var seen rules.StepState
	f.call = func(in activities.StepInput) (activities.StepResult, error) {
		seen = in.Steps["approval"]
		return ok(nil)
	}
	res := result(t, f, func(env interface {
		RegisterDelayedCallback(func(), time.Duration)
		SignalWorkflow(string, any)
	}) {
		// The first signal fails match and is dropped; the second resumes the run.
		env.RegisterDelayedCallback(func() { env.SignalWorkflow("approved", map[string]any{"ok": false, "by": "eve"}) }, time.Hour)
		env.RegisterDelayedCallback(func() { env.SignalWorkflow("approved", map[string]any{"ok": true, "by": "ann"}) }, 2*time.Hour)
	})
	if res.Status != StatusCompleted {
		t.Fatalf("status %q", res.Status)
	}
	out, _ := seen.Output.(map[string]any)
	if seen.TimedOut || out["by"] != "ann" {
		t.Fatalf("after saw approval %+v, want ann's signal", seen)
	}
}

func TestWaitForTimeoutIsAnOutcome(t *testing.T) {
	f := &fakeActivities{plan: plan(rules.PlannedRule{Name: "r", Steps: []rules.Step{
		{ID: "approval", WaitFor: &rules.WaitFor{Signal: "approved", Timeout: time.Hour}},
		{ID: "remind", Call: "crm.send", Needs: []string{"approval"}},
	}})}
	var seen rules.StepState
	f.call = func(in activities.StepInput) (activities.StepResult, error) {
		seen = in.Steps["approval"]
		return ok(nil)
	}
	res := result(t, f, nil)
	if res.Status != StatusCompleted || !seen.TimedOut {
		t.Fatalf("status %q, approval %+v; want completed with timed_out", res.Status, seen)
	}
}

func TestIfSkipsStepAndItsDependants(t *testing.T) {
	f := &fakeActivities{plan: plan(rules.PlannedRule{Name: "r", Steps: []rules.Step{
		{ID: "maybe", Call: "crm.send", If: "false"},
		{ID: "then", Call: "ops.send", Needs: []string{"maybe"}},
		{ID: "waitmaybe", WaitFor: &rules.WaitFor{Signal: "x"}, If: "false"},
		{ID: "always", Call: "ops.send"},
	}})}
	f.call = func(activities.StepInput) (activities.StepResult, error) { return ok(nil) }
	res := result(t, f, nil)
	st := res.Rules[0].Steps
	if st["maybe"].Status != "skipped" || st["then"].Status != "skipped" || st["waitmaybe"].Status != "skipped" || st["always"].Status != "succeeded" {
		t.Fatalf("steps %+v", st)
	}
	if got := f.stepsCalled(); len(got) != 1 || got[0] != "r/always" {
		t.Fatalf("calls %v, want only always", got)
	}
}

func TestContinueOnError(t *testing.T) {
	f := &fakeActivities{plan: plan(rules.PlannedRule{Name: "r", Steps: []rules.Step{
		{ID: "optional", Call: "crm.send", ContinueOnError: true},
		{ID: "next", Call: "ops.send", Needs: []string{"optional"}},
	}})}
	var seen rules.StepState
	f.call = func(in activities.StepInput) (activities.StepResult, error) {
		if in.Step.ID == "optional" {
			return activities.StepResult{}, temporal.NewNonRetryableApplicationError("HTTP 404", "HTTP404", nil)
		}
		seen = in.Steps["optional"]
		return ok(nil)
	}
	res := result(t, f, nil)
	if res.Status != StatusCompleted || seen.Status != "failed" {
		t.Fatalf("status %q, next saw %+v; want completed and optional failed", res.Status, seen)
	}
}

func TestStepRetryOverride(t *testing.T) {
	f := &fakeActivities{plan: plan(rules.PlannedRule{Name: "r", Steps: []rules.Step{
		{ID: "once", Call: "crm.send", Retry: &rules.Retry{MaxAttempts: 1}},
	}})}
	attempts := 0
	f.call = func(activities.StepInput) (activities.StepResult, error) {
		attempts++
		return activities.StepResult{}, temporal.NewApplicationError("HTTP 503", "HTTP503")
	}
	res := result(t, f, nil)
	if res.Status != StatusFailed || attempts != 1 {
		t.Fatalf("status %q after %d attempts; want failed after 1 (the integration allows 3)", res.Status, attempts)
	}
}

func TestReplayReusesSucceededSteps(t *testing.T) {
	p := plan(rules.PlannedRule{Name: "r", Steps: []rules.Step{
		{ID: "contact", Call: "crm.send"},
		{ID: "notify", Call: "ops.send", Needs: []string{"contact"}},
	}})
	f := &fakeActivities{plan: activities.Plan{}} // MatchRules must not be used: the replay carries the plan
	var seen rules.StepState
	f.call = func(in activities.StepInput) (activities.StepResult, error) {
		seen = in.Steps["contact"]
		return ok(map[string]any{"id": "n-1"})
	}
	env := newEnv(t, f)
	in := testInput
	in.Replay = &Replay{FromRunID: "run-0", Plan: &p, Done: map[string]map[string]rules.StepState{
		"r": {"contact": {Status: "succeeded", Output: map[string]any{"id": "c-1"}}, "notify": {Status: "failed"}},
	}}
	env.ExecuteWorkflow(HandleEvent, in)
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if got := f.stepsCalled(); len(got) != 1 || got[0] != "r/notify" {
		t.Fatalf("calls %v, want only notify (contact succeeded before)", got)
	}
	if out, _ := seen.Output.(map[string]any); out["id"] != "c-1" {
		t.Fatalf("notify saw contact %+v, want the reused output", seen)
	}
}
