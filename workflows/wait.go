package workflows

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hookflow/hookflow/activities"
	"github.com/hookflow/hookflow/rules"
)

// waitSignal waits for the step's signal. A signal that fails `match` is
// dropped and the wait goes on; the timeout is an outcome
// (steps.<id>.timed_out), not a failure; a cancel ends the wait as
// cancelled. Signals that arrive before the wait starts are buffered by
// Temporal and count.
func (r *run) waitSignal(ctx workflow.Context, rule string, step rules.Step, scope rules.Scope) (rules.StepState, error) {
	w := step.WaitFor
	done := r.startWaiting(ctx, rule, step)
	defer done()
	ch := workflow.GetSignalChannel(ctx, w.Signal)
	timer, stop := r.waitTimer(ctx, rule, step)
	defer stop()
	for {
		var raw json.RawMessage
		got, timedOut := false, false
		sel := workflow.NewSelector(ctx)
		sel.AddReceive(ch, func(c workflow.ReceiveChannel, _ bool) {
			c.Receive(ctx, &raw)
			got = true
		})
		if timer != nil {
			sel.AddFuture(timer, func(workflow.Future) { timedOut = true })
		}
		sel.AddReceive(ctx.Done(), func(workflow.ReceiveChannel, bool) {})
		sel.Select(ctx)
		switch {
		case ctx.Err() != nil:
			return rules.StepState{}, temporal.NewCanceledError()
		case timedOut && !got:
			return rules.StepState{Status: stepSucceeded, TimedOut: true}, nil
		}
		payload, err := exactJSON(raw)
		if err != nil {
			workflow.GetLogger(ctx).Warn("signal payload is not JSON; still waiting", "rule", rule, "step", step.ID, "signal", w.Signal)
			continue
		}
		if w.Match != "" {
			ok, err := evaluateMatch(ctx, w.Match, scope, payload, fmt.Sprintf("match %s · rule %s · step %s", w.Signal, rule, step.ID))
			if err != nil {
				return rules.StepState{}, err
			}
			if !ok {
				workflow.GetLogger(ctx).Info("signal did not match; still waiting", "rule", rule, "step", step.ID, "signal", w.Signal)
				continue
			}
		}
		return rules.StepState{Status: stepSucceeded, Output: payload}, nil
	}
}

// waitEvent waits for a correlated event: it subscribes to the mailbox of
// each trigger it accepts events from (by default the run's own), for the
// run's correlation key, and takes the first delivered event its match
// accepts. A delivery names the event; its payload is read from the run
// the event started. Each waiting step receives an event at most once.
func (r *run) waitEvent(ctx workflow.Context, rule string, step rules.Step, scope rules.Scope) (rules.StepState, error) {
	w := step.WaitFor
	if r.in.Correlation == "" {
		return rules.StepState{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("wait_for.event: this run has no correlation key (its trigger %s has no correlate, or it gave nothing for this event)", r.in.Event.Event.Trigger),
			"NoCorrelationKey", nil)
	}
	triggers := w.Triggers
	if len(triggers) == 0 {
		triggers = []string{r.in.Event.Event.Trigger}
	}
	done := r.startWaiting(ctx, rule, step)
	defer done()
	inbox := r.inbox(ctx, rule, step.ID)
	sub := activities.Subscription{WorkflowID: r.wfID, RunID: r.runID, Rule: rule, Step: step.ID, Types: w.Events}
	if w.Timeout > 0 {
		sub.Until = workflow.Now(ctx).Add(w.Timeout)
	}
	for _, t := range triggers {
		if err := r.correlate(ctx, activities.SubscribeName, t, sub).Get(ctx, nil); err != nil {
			return rules.StepState{}, err
		}
	}
	unsubscribe := func(ctx workflow.Context, except string) {
		for _, t := range triggers {
			if t != except {
				_ = r.correlate(ctx, activities.UnsubscribeName, t, sub).Get(ctx, nil) // best effort: the mailbox also drops it at Until
			}
		}
	}
	timer, stop := r.waitTimer(ctx, rule, step)
	defer stop()
	for {
		var d activities.Delivery
		got, timedOut := false, false
		sel := workflow.NewSelector(ctx)
		sel.AddReceive(inbox, func(c workflow.ReceiveChannel, _ bool) {
			c.Receive(ctx, &d)
			got = true
		})
		if timer != nil {
			sel.AddFuture(timer, func(workflow.Future) { timedOut = true })
		}
		sel.AddReceive(ctx.Done(), func(workflow.ReceiveChannel, bool) {})
		sel.Select(ctx)
		switch {
		case ctx.Err() != nil:
			unsubscribe(disconnected(ctx), "")
			return rules.StepState{}, temporal.NewCanceledError()
		case timedOut && !got:
			return rules.StepState{Status: stepSucceeded, TimedOut: true}, nil
		}
		ev := d.Event
		if !slices.Contains(triggers, ev.Trigger) || !slices.Contains(w.Events, ev.Type) {
			workflow.GetLogger(ctx).Warn("delivery refused: not an event this step waits for", "rule", rule, "step", step.ID, "trigger", ev.Trigger, "type", ev.Type)
			continue
		}
		var loaded activities.LoadedEvent
		lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
			StartToCloseTimeout: 30 * time.Second,
			RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 5},
			Summary:             fmt.Sprintf("receive %s %s · rule %s · step %s", ev.Type, ev.ID, rule, step.ID),
		})
		if err := workflow.ExecuteLocalActivity(lctx, activities.LoadEventName, activities.LoadEventInput{Event: ev, Match: w.Match, Scope: scope}).Get(ctx, &loaded); err != nil {
			return rules.StepState{}, err
		}
		if !loaded.Matched {
			workflow.GetLogger(ctx).Info("event did not match; still waiting", "rule", rule, "step", step.ID, "event_id", ev.ID)
			sub.Seen = append(sub.Seen, ev.WorkflowID)
			if err := r.correlate(ctx, activities.SubscribeName, ev.Trigger, sub).Get(ctx, nil); err != nil {
				return rules.StepState{}, err
			}
			continue
		}
		if len(triggers) > 1 {
			unsubscribe(ctx, ev.Trigger)
		}
		return rules.StepState{Status: stepSucceeded, Output: loaded.Payload}, nil
	}
}

// correlate runs Subscribe or Unsubscribe against trigger's mailbox for
// the run's key.
func (r *run) correlate(ctx workflow.Context, activity, trigger string, sub activities.Subscription) workflow.Future {
	ctx = workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		ScheduleToCloseTimeout: 10 * time.Minute,
		StartToCloseTimeout:    10 * time.Second,
		RetryPolicy:            &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute},
		Summary:                fmt.Sprintf("%s · trigger %s · key %s", activity, trigger, r.in.Correlation),
	})
	return workflow.ExecuteLocalActivity(ctx, activity, activities.CorrelateInput{Trigger: trigger, Key: r.in.Correlation, Subscription: &sub})
}

// inbox is the channel of a waiting step's deliveries. Deliveries all
// arrive on one signal; a dispatcher routes each to its step, and drops
// those for steps that no longer wait (a step takes one event at most).
func (r *run) inbox(ctx workflow.Context, rule, step string) workflow.Channel {
	key := rule + "/" + step
	ch := workflow.NewBufferedChannel(ctx, 16)
	r.inboxes[key] = ch
	if !r.dispatcher {
		r.dispatcher = true
		deliveries := workflow.GetSignalChannel(ctx, activities.DeliverySignal)
		workflow.Go(ctx, func(ctx workflow.Context) {
			for {
				var d activities.Delivery
				if !deliveries.Receive(ctx, &d) {
					return
				}
				if ch, ok := r.inboxes[d.Rule+"/"+d.Step]; ok {
					ch.SendAsync(d)
					continue
				}
				workflow.GetLogger(ctx).Info("correlated event for a step that no longer waits: dropped", "rule", d.Rule, "step", d.Step, "event_id", d.Event.ID)
			}
		})
	}
	return ch
}

// startWaiting records the step for WaitingQuery; the returned func
// forgets it (and its inbox).
func (r *run) startWaiting(ctx workflow.Context, rule string, step rules.Step) func() {
	w := step.WaitFor
	key := rule + "/" + step.ID
	st := Waiting{Rule: rule, Step: step.ID, Signal: w.Signal, Events: w.Events, Triggers: w.Triggers, Since: workflow.Now(ctx)}
	if len(w.Events) > 0 && len(st.Triggers) == 0 {
		st.Triggers = []string{r.in.Event.Event.Trigger}
	}
	if w.Timeout > 0 {
		st.Until = st.Since.Add(w.Timeout)
	}
	r.waiting[key] = st
	return func() {
		delete(r.waiting, key)
		delete(r.inboxes, key)
	}
}

// waitTimer is the wait's timeout timer, nil without one; stop cancels it.
func (r *run) waitTimer(ctx workflow.Context, rule string, step rules.Step) (workflow.Future, func()) {
	w := step.WaitFor
	if w.Timeout <= 0 {
		return nil, func() {}
	}
	tctx, cancel := workflow.WithCancel(ctx)
	what := w.Signal
	if what == "" {
		what = fmt.Sprint(w.Events)
	}
	return workflow.NewTimerWithOptions(tctx, w.Timeout, workflow.TimerOptions{
		Summary: fmt.Sprintf("wait_for %s timeout · rule %s · step %s", what, rule, step.ID),
	}), cancel
}

// exactJSON decodes a signal's payload with its integers exact.
func exactJSON(raw json.RawMessage) (any, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	return rules.DecodeJSON(raw)
}
