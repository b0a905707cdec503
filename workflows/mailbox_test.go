package workflows

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/hookflow/hookflow/activities"
)

// box is a mailbox whose deliveries are recorded as "rule/step<-event".
func box(buffer time.Duration) (*mailbox, *[]string) {
	var got []string
	m := &mailbox{in: activities.MailboxInput{Trigger: "stripe", Key: "in_1", Buffer: buffer}, st: &activities.MailboxState{}}
	m.deliver = func(s activities.Subscription, ev activities.EventRef) { got = append(got, s.Claim()+"<-"+ev.ID) }
	m.log = func(string, ...any) {}
	return m, &got
}

var t0 = time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)

func ev(id, typ string, at time.Time) activities.EventRef {
	return activities.EventRef{WorkflowID: "stripe/" + id, ID: id, Type: typ, Trigger: "stripe", ReceivedAt: at}
}

func sub(run, rule, step string, types ...string) activities.Subscription {
	return activities.Subscription{WorkflowID: run, RunID: "r", Rule: rule, Step: step, Types: types}
}

func TestMailboxDeliversToWaitingAndLaterSteps(t *testing.T) {
	m, got := box(24 * time.Hour)
	m.subscribe(sub("a", "dunning", "paid", "invoice.paid"), t0)
	m.subscribe(sub("b", "other", "wait", "invoice.voided"), t0)
	m.publish(ev("e1", "invoice.paid", t0), t0)
	m.publish(ev("e1", "invoice.paid", t0), t0) // a retried publish
	if strings.Join(*got, " ") != "dunning/paid<-e1" {
		t.Fatalf("deliveries %v; want e1 to the one waiting step, once", *got)
	}
	if len(m.st.Subscriptions) != 1 || len(m.st.Events) != 1 {
		t.Fatalf("state %+v; want b still waiting and e1 kept", m.st)
	}
	// A later run of the same rule and step does not get e1 again; another rule does.
	m.subscribe(sub("c", "dunning", "paid", "invoice.paid"), t0.Add(time.Minute))
	m.subscribe(sub("d", "thanks", "paid", "invoice.paid"), t0.Add(time.Minute))
	if strings.Join(*got, " ") != "dunning/paid<-e1 thanks/paid<-e1" {
		t.Fatalf("deliveries %v", *got)
	}
}

func TestMailboxOutOfOrderAndRelease(t *testing.T) {
	m, got := box(24 * time.Hour)
	m.publish(ev("e1", "invoice.paid", t0), t0)
	m.publish(ev("e2", "invoice.paid", t0.Add(time.Second)), t0.Add(time.Second))
	a := sub("a", "dunning", "paid", "invoice.paid")
	m.subscribe(a, t0.Add(time.Hour)) // gets the oldest: e1
	a.Seen = []string{"stripe/e1"}    // its match turned e1 down
	m.subscribe(a, t0.Add(time.Hour))
	b := sub("b", "dunning", "paid", "invoice.paid")
	m.subscribe(b, t0.Add(time.Hour)) // e1 was released: b may take it
	if strings.Join(*got, " ") != "dunning/paid<-e1 dunning/paid<-e2 dunning/paid<-e1" {
		t.Fatalf("deliveries %v", *got)
	}
}

func TestMailboxExpiresAndCountsUnclaimed(t *testing.T) {
	m, got := box(time.Hour)
	unclaimed := 0
	m.onUnclaimed = func() { unclaimed++ }
	m.publish(ev("e1", "invoice.paid", t0), t0)
	m.subscribe(activities.Subscription{WorkflowID: "a", Rule: "x", Step: "y", Types: []string{"other"}, Until: t0.Add(30 * time.Minute)}, t0)
	if at := m.nextDeadline(); !at.Equal(t0.Add(30 * time.Minute)) {
		t.Fatalf("next deadline %s", at)
	}
	m.expire(t0.Add(2 * time.Hour))
	if len(m.st.Events) != 0 || len(m.st.Subscriptions) != 0 || m.st.Unclaimed != 1 || unclaimed != 1 || m.st.RecentUnclaimed[0].ID != "e1" || len(*got) != 0 {
		t.Fatalf("after the window: %+v, %d unclaimed", m.st, unclaimed)
	}
}

// TestMailboxIsBounded: a busy key keeps at most maxBufferedEvents events
// and maxSubscriptions waits, whatever arrives.
func TestMailboxIsBounded(t *testing.T) {
	m, _ := box(24 * time.Hour)
	for i := range maxBufferedEvents + 50 {
		m.publish(ev(fmt.Sprint("e", i), "invoice.paid", t0), t0)
	}
	for i := range maxSubscriptions + 50 {
		m.subscribe(sub(fmt.Sprint("run", i), "r", "s", "other"), t0)
	}
	if len(m.st.Events) != maxBufferedEvents || len(m.st.Subscriptions) != maxSubscriptions || m.st.Unclaimed != 50 {
		t.Fatalf("%d events, %d waits, %d unclaimed", len(m.st.Events), len(m.st.Subscriptions), m.st.Unclaimed)
	}
	if m.st.Events[0].Event.ID != "e50" || len(m.recent) > maxRecentIDs {
		t.Fatalf("oldest kept %s, %d ids remembered", m.st.Events[0].Event.ID, len(m.recent))
	}
}

// TestCorrelateContinuesAsNewWithItsState: when Temporal suggests it, the
// mailbox continues as new carrying its events and waits, after handling
// the signals already received and with no delivery in flight.
func TestCorrelateContinuesAsNewWithItsState(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.SetWorkerOptions(worker.Options{DeadlockDetectionTimeout: time.Minute}) // a busy machine can stall a goroutine past the SDK's 1 s detector
	env.RegisterWorkflowWithOptions(Correlate, workflow.RegisterOptions{Name: activities.MailboxWorkflowName})
	var delivered []string
	env.OnSignalExternalWorkflow(mock.Anything, "run-a", "r", activities.DeliverySignal, mock.Anything).Return(
		func(_, _, _, _ string, arg any) error {
			delivered = append(delivered, arg.(activities.Delivery).Event.ID)
			return nil
		})
	now := env.Now()
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(activities.SubscribeSignal, sub("run-a", "dunning", "paid", "invoice.paid"))
	}, time.Minute)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(activities.PublishSignal, ev("e1", "invoice.paid", now.Add(2*time.Minute))) }, 2*time.Minute)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(activities.PublishSignal, ev("e2", "invoice.paid", now.Add(3*time.Minute))) }, 3*time.Minute)
	env.RegisterDelayedCallback(func() {
		env.SetContinueAsNewSuggested(true)
		env.SignalWorkflow(activities.UnsubscribeSignal, sub("run-x", "none", "none"))
	}, 4*time.Minute)
	// Started (as SignalWithStart would) holding one waiting step.
	env.ExecuteWorkflow(activities.MailboxWorkflowName, activities.MailboxInput{Trigger: "stripe", Key: "in_1", Buffer: 24 * time.Hour,
		State: &activities.MailboxState{Subscriptions: []activities.Subscription{sub("run-b", "other", "wait", "invoice.voided")}}})
	var can *workflow.ContinueAsNewError
	if err := env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("mailbox ended with %v; want continue-as-new", err)
	}
	var next activities.MailboxInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	if strings.Join(delivered, " ") != "e1" {
		t.Fatalf("delivered %v; want e1 to run-a only", delivered)
	}
	if next.Trigger != "stripe" || next.State == nil || len(next.State.Events) != 2 || len(next.State.Subscriptions) != 1 || next.State.Delivered != 1 {
		t.Fatalf("carried state %+v", next.State)
	}
}
