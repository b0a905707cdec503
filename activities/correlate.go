package activities

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/hookflow/hookflow/rules"
)

// Correlation mailbox names: public API. A mailbox is a workflow per
// correlating trigger and key that holds that key's recent events and the
// runs waiting for them, so an event reaches a waiting run whether it
// arrives before or after the run starts waiting, without reading
// Visibility (which lags).
const (
	MailboxWorkflowName = "Correlate"
	PublishSignal       = "hookflow.publish"
	SubscribeSignal     = "hookflow.subscribe"
	UnsubscribeSignal   = "hookflow.unsubscribe"
	// DeliverySignal is what a mailbox sends a waiting run.
	DeliverySignal = "hookflow.event"
	MailboxQuery   = "state"
)

// maxKeyInID bounds the key's share of a mailbox's workflow id; longer keys
// are hashed (the full key stays in the mailbox's input).
const maxKeyInID = 200

// MailboxID is the workflow id of trigger's mailbox for key:
// corr/<trigger>/<key>. Each trigger has its own mailboxes, so events of one
// trigger cannot crowd out another's.
func MailboxID(trigger, key string) string {
	if len(key) > maxKeyInID {
		sum := sha256.Sum256([]byte(key))
		key = "sha256-" + hex.EncodeToString(sum[:])
	}
	return "corr/" + trigger + "/" + key
}

// MailboxInput starts a mailbox and carries its state across continue-as-new.
type MailboxInput struct {
	Trigger string        `json:"trigger"`
	Key     string        `json:"key"`
	Buffer  time.Duration `json:"buffer"`
	State   *MailboxState `json:"state,omitempty"`
}

// MailboxState is what a mailbox holds: buffered events, waiting runs, and a
// tally of what it did.
type MailboxState struct {
	Events        []BufferedEvent `json:"events,omitempty"`
	Subscriptions []Subscription  `json:"subscriptions,omitempty"`
	Delivered     int             `json:"delivered,omitempty"`
	Unclaimed     int             `json:"unclaimed,omitempty"`
	// RecentUnclaimed are the last events that expired with no run
	// having received them.
	RecentUnclaimed []EventRef `json:"recent_unclaimed,omitempty"`
}

// BufferedEvent is an event kept for runs that start waiting later; Claims
// are the rule/step pairs that received it.
type BufferedEvent struct {
	Event   EventRef  `json:"event"`
	Expires time.Time `json:"expires"`
	Claims  []string  `json:"claims,omitempty"`
}

// EventRef names a received event by the run it started; the payload stays
// in that run's history and is read once, by the run that receives it, so
// a busy key cannot grow a mailbox's history by payloads.
type EventRef struct {
	WorkflowID string    `json:"workflow_id"`
	RunID      string    `json:"run_id"`
	ID         string    `json:"id"`
	Type       string    `json:"type"`
	Trigger    string    `json:"trigger"`
	ReceivedAt time.Time `json:"received_at"`
}

// Subscription is one waiting step of one run.
type Subscription struct {
	WorkflowID string   `json:"workflow_id"`
	RunID      string   `json:"run_id"`
	Rule       string   `json:"rule"`
	Step       string   `json:"step"`
	Types      []string `json:"types"`
	// Seen are events this step received and its match turned down: they
	// are not delivered to it again, and its claim on them is released.
	Seen []string `json:"seen,omitempty"`
	// Until is when the wait times out; zero waits until delivered.
	Until time.Time `json:"until,omitzero"`
}

// Claim is how a subscription's rule and step are recorded on an event.
func (s Subscription) Claim() string { return s.Rule + "/" + s.Step }

// SameWaiter reports whether s and o are the same waiting step.
func (s Subscription) SameWaiter(o Subscription) bool {
	return s.WorkflowID == o.WorkflowID && s.RunID == o.RunID && s.Rule == o.Rule && s.Step == o.Step
}

// Delivery is what a mailbox signals a waiting run.
type Delivery struct {
	Rule  string   `json:"rule"`
	Step  string   `json:"step"`
	Event EventRef `json:"event"`
}

// CorrelateInput addresses one trigger's mailbox for one key.
type CorrelateInput struct {
	Trigger string `json:"trigger"`
	Key     string `json:"key"`
	// Event is set to publish, Subscription to subscribe or unsubscribe.
	Event        *EventRef     `json:"event,omitempty"`
	Subscription *Subscription `json:"subscription,omitempty"`
}

// PublishEvent hands a correlated event to its trigger's mailbox, starting
// the mailbox if it does not run. The mailbox ignores a second publish of
// the same event, so retries are safe.
func (a *Activities) PublishEvent(ctx context.Context, in CorrelateInput) error {
	if in.Event == nil {
		return temporal.NewNonRetryableApplicationError("publish without an event", "BadInput", nil)
	}
	return a.signalMailbox(ctx, in, PublishSignal, *in.Event)
}

// Subscribe tells a trigger's mailbox that a step waits for its events; the
// mailbox delivers a buffered event at once, else the next one to arrive.
func (a *Activities) Subscribe(ctx context.Context, in CorrelateInput) error {
	if in.Subscription == nil {
		return temporal.NewNonRetryableApplicationError("subscribe without a subscription", "BadInput", nil)
	}
	return a.signalMailbox(ctx, in, SubscribeSignal, *in.Subscription)
}

// Unsubscribe withdraws a waiting step. A mailbox that no longer runs has
// nothing to withdraw.
func (a *Activities) Unsubscribe(ctx context.Context, in CorrelateInput) error {
	if a.deps.Temporal == nil || in.Subscription == nil {
		return nil
	}
	err := a.deps.Temporal.SignalWorkflow(ctx, MailboxID(in.Trigger, in.Key), "", UnsubscribeSignal, *in.Subscription)
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return nil
	}
	return err
}

func (a *Activities) signalMailbox(ctx context.Context, in CorrelateInput, signal string, arg any) error {
	if a.deps.Temporal == nil {
		return temporal.NewNonRetryableApplicationError("correlation needs a Temporal client on the worker", "NoClient", nil)
	}
	buffer, ok := a.current().Correlation[in.Trigger]
	if !ok {
		// The trigger stopped correlating since (hot reload): keep nothing.
		buffer = 0
	}
	id := MailboxID(in.Trigger, in.Key)
	_, err := a.deps.Temporal.SignalWithStartWorkflow(ctx, id, signal, arg, client.StartWorkflowOptions{
		ID:                       id,
		TaskQueue:                TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		StaticSummary:            fmt.Sprintf("correlation mailbox · trigger %s · key %s", in.Trigger, in.Key),
	}, MailboxWorkflowName, MailboxInput{Trigger: in.Trigger, Key: in.Key, Buffer: buffer})
	if err != nil {
		return fmt.Errorf("mailbox %s: %w", id, err)
	}
	return nil
}

// LoadEventInput is a delivered event to read, with the waiting step's
// match (empty: any event of the right type ends the wait) and its scope.
type LoadEventInput struct {
	Event EventRef    `json:"event"`
	Match string      `json:"match,omitempty"`
	Scope rules.Scope `json:"scope"`
}

// LoadedEvent is a delivered event's payload and whether it ends the wait.
type LoadedEvent struct {
	Payload any  `json:"payload"`
	Matched bool `json:"matched"`
}

// UnmarshalJSON keeps integers in the payload exact through history.
func (e *LoadedEvent) UnmarshalJSON(data []byte) error {
	var raw struct {
		Payload json.RawMessage `json:"payload"`
		Matched bool            `json:"matched"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	e.Matched, e.Payload = raw.Matched, nil
	if len(raw.Payload) == 0 {
		return nil
	}
	p, err := rules.DecodeJSON(raw.Payload)
	e.Payload = p
	return err
}

// LoadEvent reads a delivered event's payload from the history of the run
// it started (its first event holds it), and evaluates the waiting step's
// match against it.
func (a *Activities) LoadEvent(ctx context.Context, in LoadEventInput) (LoadedEvent, error) {
	if a.deps.Temporal == nil {
		return LoadedEvent{}, temporal.NewNonRetryableApplicationError("correlation needs a Temporal client on the worker", "NoClient", nil)
	}
	resp, err := a.deps.Temporal.WorkflowService().GetWorkflowExecutionHistory(ctx, &workflowservice.GetWorkflowExecutionHistoryRequest{
		Namespace:       activity.GetInfo(ctx).WorkflowNamespace,
		Execution:       &commonpb.WorkflowExecution{WorkflowId: in.Event.WorkflowID, RunId: in.Event.RunID},
		MaximumPageSize: 1,
	})
	if err != nil {
		var nf *serviceerror.NotFound
		if errors.As(err, &nf) {
			return LoadedEvent{}, temporal.NewNonRetryableApplicationError(
				fmt.Sprintf("event %s: its run %s is gone (past the namespace's retention?)", in.Event.ID, in.Event.WorkflowID), "EventGone", nil)
		}
		return LoadedEvent{}, fmt.Errorf("read event %s from %s: %w", in.Event.ID, in.Event.WorkflowID, err)
	}
	events := resp.GetHistory().GetEvents()
	if len(events) == 0 || events[0].GetWorkflowExecutionStartedEventAttributes() == nil {
		return LoadedEvent{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("event %s: run %s has no start event", in.Event.ID, in.Event.WorkflowID), "EventGone", nil)
	}
	var started struct {
		Event rules.Input `json:"event"`
	}
	if err := a.deps.DataConverter.FromPayloads(events[0].GetWorkflowExecutionStartedEventAttributes().GetInput(), &started); err != nil {
		return LoadedEvent{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("event %s: read the input of %s: %v", in.Event.ID, in.Event.WorkflowID, err), "EventUnreadable", nil)
	}
	out := LoadedEvent{Payload: started.Event.Payload, Matched: true}
	if in.Match != "" {
		ok, err := a.current().Rules.EvalMatch(in.Match, in.Scope, out.Payload)
		if err != nil {
			return LoadedEvent{}, temporal.NewNonRetryableApplicationError(err.Error(), "ExprError", nil)
		}
		out.Matched = ok
	}
	return out, nil
}
