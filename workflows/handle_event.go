package workflows

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hookflow/hookflow/activities"
	"github.com/hookflow/hookflow/rules"
)

// run is one HandleEvent execution: its input, plan, and the steps that
// wait (for the query and for correlated deliveries).
type run struct {
	in         Input
	wfID       string
	runID      string
	plan       activities.Plan
	waiting    map[string]Waiting          // rule/step → what it waits for
	inboxes    map[string]workflow.Channel // rule/step → its correlated deliveries
	dispatcher bool                        // the delivery dispatcher runs
	inline     bool                        // alone(plan): steps may run in the calling coroutine
}

// HandleEvent runs the rules that match one event. Its registered name is
// WorkflowName (HandleEventV2).
func HandleEvent(ctx workflow.Context, in Input) (Result, error) {
	info := workflow.GetInfo(ctx)
	r := &run{
		in:      in,
		wfID:    info.WorkflowExecution.ID,
		runID:   info.WorkflowExecution.RunID,
		waiting: map[string]Waiting{},
		inboxes: map[string]workflow.Channel{},
	}
	if err := workflow.SetQueryHandler(ctx, WaitingQuery, r.waitingNow); err != nil {
		return Result{}, err
	}
	plan, err := r.planFor(ctx)
	if err != nil {
		setStatus(ctx, StatusFailed)
		return Result{Status: StatusFailed}, err
	}
	r.plan = plan
	r.inline = alone(plan)
	// An event some rule waits for goes to its trigger's mailbox for its
	// key, beside this run's own rules; publishing outlives a cancel.
	var published workflow.Future
	if in.Correlation != "" && in.Replay == nil && plan.Awaited {
		published = r.publish(disconnected(ctx))
	}
	res, err := r.execute(ctx)
	if published != nil {
		if perr := published.Get(ctx, nil); perr != nil {
			workflow.GetLogger(ctx).Error("publish correlated event", "key", in.Correlation, "error", perr)
		}
	}
	return res, err
}

// execute runs every matched rule and settles the run's status.
func (r *run) execute(ctx workflow.Context) (Result, error) {
	plan := r.plan
	ev := r.in.Event.Event
	if len(plan.Rules) == 0 {
		workflow.SetCurrentDetails(ctx, "no rule matched")
		if r.in.Plan != nil {
			countFinished(ctx, StatusNoMatch) // the front door set HookStatus at start
		} else {
			setStatus(ctx, StatusNoMatch)
		}
		return Result{Status: StatusNoMatch, Version: plan.Version}, nil
	}
	names := make([]string, len(plan.Rules))
	for i, pr := range plan.Rules {
		names[i] = pr.Name
	}
	workflow.SetCurrentDetails(ctx, fmt.Sprintf("%s · %s · rules: %s", ev.Trigger, ev.Type, strings.Join(names, ", ")))

	res := Result{Status: StatusCompleted, Version: plan.Version, Rules: make([]RuleResult, len(plan.Rules))}
	ruleAt := func(ctx workflow.Context, i int) {
		var done map[string]rules.StepState
		if r.in.Replay != nil {
			done = r.in.Replay.Done[plan.Rules[i].Name]
		}
		res.Rules[i] = r.runRule(ctx, plan.Rules[i], done)
	}
	if r.inline {
		ruleAt(ctx, 0)
	} else {
		wg := workflow.NewWaitGroup(ctx)
		for i := range plan.Rules {
			wg.Go(ctx, func(ctx workflow.Context) { ruleAt(ctx, i) })
		}
		wg.Wait(ctx)
	}

	if ctx.Err() != nil {
		// Cancelled: whatever the rules reached, the run ends CANCELED.
		dctx := disconnected(ctx)
		res.Status = StatusCanceled
		setStatus(dctx, StatusCanceled)
		return res, temporal.NewCanceledError(res)
	}
	var failed, failedSteps []string
	for _, rr := range res.Rules {
		if rr.Status == StatusFailed {
			failed = append(failed, fmt.Sprintf("rule %s step %s: %s", rr.Name, rr.Failure.Step, rr.Failure.Message))
			failedSteps = append(failedSteps, rr.Name+"/"+rr.Failure.Step)
		}
	}
	if len(failed) > 0 {
		res.Status = StatusFailed
		res.Plan = &plan
		setStatus(ctx, StatusFailed, AttrFailedSteps.ValueSet(failedSteps))
		return res, temporal.NewNonRetryableApplicationError(strings.Join(failed, "; "), "StepFailed", nil, res)
	}
	// A completed run's outputs are in its steps' events: keep the result small.
	for i := range res.Rules {
		for id, st := range res.Rules[i].Steps { // each entry is rewritten in place: order does not matter
			st.Output = nil
			res.Rules[i].Steps[id] = st
		}
	}
	setStatus(ctx, StatusCompleted)
	return res, nil
}

// alone says whether the run's one rule, and each of its steps that starts
// when no other is running, can run in the workflow's root coroutine rather
// than in coroutines of their own. Each coroutine costs a goroutine and a
// hand-off on every pass of the SDK's dispatcher, and a step's is the last
// in the dispatcher's list, where the root would run it: with one rule and
// no step waiting for events or signals (which start coroutines of their
// own), nothing runs between the two, so the commands and their order are
// those of a coroutine per rule and step. Runs recorded either way replay
// the same (testdata holds histories recorded with the coroutines).
func alone(plan activities.Plan) bool {
	if len(plan.Rules) != 1 {
		return false
	}
	rule := plan.Rules[0]
	for _, steps := range [][]rules.Step{rule.Steps, rule.OnFailure, rule.OnCancel} {
		for _, s := range steps {
			if s.WaitFor != nil {
				return false
			}
		}
	}
	return true
}

// planFor is the front door's plan, a replay's original plan, or the
// current rules matched in a local activity (whose search attributes the
// run then sets itself).
func (r *run) planFor(ctx workflow.Context) (activities.Plan, error) {
	switch {
	case r.in.Replay != nil && r.in.Replay.Plan != nil:
		return *r.in.Replay.Plan, nil
	case r.in.Plan != nil && r.in.Replay == nil:
		return *r.in.Plan, nil
	}
	lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 3},
		Summary:             "match rules",
	})
	var plan activities.Plan
	if err := workflow.ExecuteLocalActivity(lctx, activities.MatchRulesName, r.in.Event).Get(ctx, &plan); err != nil {
		return plan, err
	}
	updates, problems := PlanAttributes(plan)
	for _, p := range problems {
		workflow.GetLogger(ctx).Warn("search attribute not set", "problem", p)
	}
	if err := workflow.UpsertTypedSearchAttributes(ctx, updates...); err != nil {
		workflow.GetLogger(ctx).Warn("set search attributes", "error", err)
	}
	return plan, nil
}

// publish hands the event to its trigger's mailbox for its correlation key.
func (r *run) publish(ctx workflow.Context) workflow.Future {
	ev := r.in.Event.Event
	ctx = workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		ScheduleToCloseTimeout: time.Hour,
		StartToCloseTimeout:    10 * time.Second,
		RetryPolicy:            &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute},
		Summary:                "publish " + ev.Type + " · key " + r.in.Correlation,
	})
	return workflow.ExecuteLocalActivity(ctx, activities.PublishName, activities.CorrelateInput{
		Trigger: ev.Trigger,
		Key:     r.in.Correlation,
		Event: &activities.EventRef{
			WorkflowID: r.wfID, RunID: r.runID,
			ID: ev.ID, Type: ev.Type, Trigger: ev.Trigger, ReceivedAt: ev.ReceivedAt,
		},
	})
}

// waitingNow answers WaitingQuery, sorted by rule and step.
func (r *run) waitingNow() ([]Waiting, error) {
	out := make([]Waiting, 0, len(r.waiting))
	for _, w := range r.waiting { // sorted below
		out = append(out, w)
	}
	slices.SortFunc(out, func(a, b Waiting) int { return strings.Compare(a.Rule+"/"+a.Step, b.Rule+"/"+b.Step) })
	return out, nil
}

// failureMessage is what the integration said, without the SDK's wrapping.
func failureMessage(err error) string {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return appErr.Message()
	}
	var timeoutErr *temporal.TimeoutError
	if errors.As(err, &timeoutErr) {
		if errors.As(timeoutErr.Unwrap(), &appErr) {
			return "gave up retrying: " + appErr.Message()
		}
		return "timed out (" + timeoutErr.TimeoutType().String() + ")"
	}
	return err.Error()
}

// disconnected is a context that outlives the run's cancellation, for what
// must still happen after a cancel: on_cancel steps, the final status,
// withdrawing subscriptions, publishing the event.
func disconnected(ctx workflow.Context) workflow.Context {
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	return dctx
}
