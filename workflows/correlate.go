package workflows

import (
	"slices"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/hookflow/hookflow/activities"
)

// Bounds of one mailbox, so a busy key cannot grow it without limit.
const (
	maxBufferedEvents = 1000 // beyond: the oldest event is dropped (and counted unclaimed if no run took it)
	maxSubscriptions  = 1000 // beyond: the oldest wait is dropped
	maxRecentIDs      = 200  // published event ids remembered to ignore a republish
	maxRecentUnclaim  = 20
	// mailboxHistoryLimit continues a mailbox as new long before
	// Temporal's history limits.
	mailboxHistoryLimit = 4000
)

// MetricUnclaimed counts correlated events that expired with no run having
// received them.
const MetricUnclaimed = "hookflow_correlation_unclaimed_total"

// mailbox is a Correlate run's state and logic, apart from Temporal's.
type mailbox struct {
	in     activities.MailboxInput
	st     *activities.MailboxState
	recent []string // ids of published events, newest last
	// deliver sends one delivery; the mailbox counts those in flight.
	deliver     func(sub activities.Subscription, ev activities.EventRef)
	log         func(msg string, kv ...any)
	onUnclaimed func()
}

// Correlate is the mailbox of one correlating trigger and key (workflow id
// corr/<trigger>/<key>). Runs of that trigger publish their events to it;
// steps waiting in wait_for.event subscribe. An event is delivered to every
// step waiting for its type when it arrives, and kept for the trigger's
// correlate_buffer, so a step that starts waiting later (the provider sent
// the events out of order) still receives it — at most once per rule and
// step. An event no run received by the end of its window is recorded as
// unclaimed (in the result, the log and hookflow_correlation_unclaimed_total).
// The mailbox ends when it holds nothing, and continues as new before its
// history grows long.
func Correlate(ctx workflow.Context, in activities.MailboxInput) (activities.MailboxState, error) {
	st := in.State
	if st == nil {
		st = &activities.MailboxState{}
	}
	in.State = nil
	inFlight := 0
	m := &mailbox{in: in, st: st}
	for _, e := range st.Events {
		m.recent = append(m.recent, e.Event.WorkflowID)
	}
	logger := workflow.GetLogger(ctx)
	m.log = func(msg string, kv ...any) { logger.Info(msg, append(kv, "trigger", in.Trigger, "key", in.Key)...) }
	m.onUnclaimed = func() {
		workflow.GetMetricsHandler(ctx).WithTags(map[string]string{"trigger": in.Trigger}).Counter(MetricUnclaimed).Inc(1)
	}
	m.deliver = func(sub activities.Subscription, ev activities.EventRef) {
		inFlight++
		f := workflow.SignalExternalWorkflow(ctx, sub.WorkflowID, sub.RunID, activities.DeliverySignal, activities.Delivery{Rule: sub.Rule, Step: sub.Step, Event: ev})
		workflow.Go(ctx, func(gctx workflow.Context) {
			defer func() { inFlight-- }()
			if err := f.Get(gctx, nil); err != nil {
				// The run closed meanwhile: the event stays for others.
				m.release(ev.WorkflowID, sub.Claim())
				m.log("delivery failed: the waiting run is gone", "workflow_id", sub.WorkflowID, "event_id", ev.ID, "error", err)
				return
			}
			st.Delivered++
		})
	}
	if err := workflow.SetQueryHandler(ctx, activities.MailboxQuery, func() (activities.MailboxState, error) { return *st, nil }); err != nil {
		return *st, err
	}
	pub := workflow.GetSignalChannel(ctx, activities.PublishSignal)
	sub := workflow.GetSignalChannel(ctx, activities.SubscribeSignal)
	unsub := workflow.GetSignalChannel(ctx, activities.UnsubscribeSignal)
	handle := func(sel workflow.Selector) {
		sel.AddReceive(pub, func(c workflow.ReceiveChannel, _ bool) {
			var ev activities.EventRef
			c.Receive(ctx, &ev)
			m.publish(ev, workflow.Now(ctx))
		})
		sel.AddReceive(sub, func(c workflow.ReceiveChannel, _ bool) {
			var s activities.Subscription
			c.Receive(ctx, &s)
			m.subscribe(s, workflow.Now(ctx))
		})
		sel.AddReceive(unsub, func(c workflow.ReceiveChannel, _ bool) {
			var s activities.Subscription
			c.Receive(ctx, &s)
			m.unsubscribe(s)
		})
	}
	// drain handles every signal already received, without blocking.
	drain := func() bool {
		any := false
		for {
			sel := workflow.NewSelector(ctx)
			handle(sel)
			if !sel.HasPending() {
				return any
			}
			sel.Select(ctx)
			any = true
		}
	}
	var timer workflow.Future
	var timerAt time.Time
	var cancelTimer workflow.CancelFunc
	for {
		m.expire(workflow.Now(ctx))
		if len(st.Events) == 0 && len(st.Subscriptions) == 0 {
			_ = workflow.Await(ctx, func() bool { return inFlight == 0 })
			if !drain() {
				return *st, nil // nothing left to hold
			}
			continue
		}
		if info := workflow.GetInfo(ctx); info.GetCurrentHistoryLength() > mailboxHistoryLimit || info.GetContinueAsNewSuggested() {
			_ = workflow.Await(ctx, func() bool { return inFlight == 0 })
			drain()
			next := in
			next.State = st
			return *st, workflow.NewContinueAsNewError(ctx, activities.MailboxWorkflowName, next)
		}
		if at := m.nextDeadline(); !at.Equal(timerAt) {
			if cancelTimer != nil {
				cancelTimer()
			}
			timer, timerAt, cancelTimer = nil, at, nil
			if !at.IsZero() {
				tctx, cancel := workflow.WithCancel(ctx)
				timer = workflow.NewTimerWithOptions(tctx, max(at.Sub(workflow.Now(ctx)), time.Millisecond), workflow.TimerOptions{Summary: "next expiry"})
				cancelTimer = cancel
			}
		}
		sel := workflow.NewSelector(ctx)
		handle(sel)
		if timer != nil {
			sel.AddFuture(timer, func(workflow.Future) { timer, timerAt, cancelTimer = nil, time.Time{}, nil })
		}
		sel.Select(ctx)
	}
}

// publish takes a new event: every waiting step of its type receives it,
// and it stays for the buffer window.
func (m *mailbox) publish(ev activities.EventRef, now time.Time) {
	if slices.Contains(m.recent, ev.WorkflowID) {
		return // a retried publish
	}
	m.recent = append(m.recent, ev.WorkflowID)
	if len(m.recent) > maxRecentIDs {
		m.recent = m.recent[len(m.recent)-maxRecentIDs:]
	}
	b := activities.BufferedEvent{Event: ev, Expires: ev.ReceivedAt.Add(m.in.Buffer)}
	subs := m.st.Subscriptions[:0:0]
	for _, s := range m.st.Subscriptions {
		if slices.Contains(s.Types, ev.Type) && !slices.Contains(s.Seen, ev.WorkflowID) {
			b.Claims = append(b.Claims, s.Claim())
			m.deliver(s, ev)
			continue
		}
		subs = append(subs, s)
	}
	m.st.Subscriptions = subs
	if m.in.Buffer <= 0 || !b.Expires.After(now) {
		if len(b.Claims) == 0 {
			m.unclaimed(ev, "no run waits and the trigger keeps no buffer")
		}
		return
	}
	m.st.Events = append(m.st.Events, b)
	if len(m.st.Events) > maxBufferedEvents {
		old := m.st.Events[0]
		m.st.Events = m.st.Events[1:]
		if len(old.Claims) == 0 {
			m.unclaimed(old.Event, "buffer full")
		}
	}
}

// subscribe takes a waiting step: the oldest buffered event of its type
// that this rule and step have not received yet is delivered at once;
// otherwise it waits for the next.
func (m *mailbox) subscribe(s activities.Subscription, now time.Time) {
	m.unsubscribe(s)
	if !s.Until.IsZero() && !s.Until.After(now) {
		return
	}
	for _, seen := range s.Seen {
		m.release(seen, s.Claim()) // turned down by its match: others of this rule and step may take it
	}
	for i := range m.st.Events {
		b := &m.st.Events[i]
		if slices.Contains(s.Types, b.Event.Type) && !slices.Contains(s.Seen, b.Event.WorkflowID) && !slices.Contains(b.Claims, s.Claim()) {
			b.Claims = append(b.Claims, s.Claim())
			m.deliver(s, b.Event)
			return
		}
	}
	m.st.Subscriptions = append(m.st.Subscriptions, s)
	if len(m.st.Subscriptions) > maxSubscriptions {
		old := m.st.Subscriptions[0]
		m.st.Subscriptions = m.st.Subscriptions[1:]
		m.log("too many waiting runs: the oldest stops waiting here", "workflow_id", old.WorkflowID, "rule", old.Rule, "step", old.Step)
	}
}

func (m *mailbox) unsubscribe(s activities.Subscription) {
	m.st.Subscriptions = slices.DeleteFunc(m.st.Subscriptions, s.SameWaiter)
}

// release withdraws a rule and step's claim on a buffered event.
func (m *mailbox) release(eventWorkflowID, claim string) {
	for i := range m.st.Events {
		if b := &m.st.Events[i]; b.Event.WorkflowID == eventWorkflowID {
			b.Claims = slices.DeleteFunc(b.Claims, func(c string) bool { return c == claim })
		}
	}
}

// expire drops events past their window and waits past their timeout.
func (m *mailbox) expire(now time.Time) {
	m.st.Events = slices.DeleteFunc(m.st.Events, func(b activities.BufferedEvent) bool {
		if b.Expires.After(now) {
			return false
		}
		if len(b.Claims) == 0 {
			m.unclaimed(b.Event, "its buffer window passed")
		}
		return true
	})
	m.st.Subscriptions = slices.DeleteFunc(m.st.Subscriptions, func(s activities.Subscription) bool {
		return !s.Until.IsZero() && !s.Until.After(now)
	})
}

func (m *mailbox) unclaimed(ev activities.EventRef, why string) {
	m.st.Unclaimed++
	m.st.RecentUnclaimed = append(m.st.RecentUnclaimed, ev)
	if len(m.st.RecentUnclaimed) > maxRecentUnclaim {
		m.st.RecentUnclaimed = m.st.RecentUnclaimed[1:]
	}
	m.log("correlated event unclaimed: no run received it", "event_id", ev.ID, "type", ev.Type, "workflow_id", ev.WorkflowID, "reason", why)
	if m.onUnclaimed != nil {
		m.onUnclaimed()
	}
}

// nextDeadline is the earliest expiry of an event or a wait; zero if none.
func (m *mailbox) nextDeadline() time.Time {
	var at time.Time
	for _, b := range m.st.Events {
		if at.IsZero() || b.Expires.Before(at) {
			at = b.Expires
		}
	}
	for _, s := range m.st.Subscriptions {
		if !s.Until.IsZero() && (at.IsZero() || s.Until.Before(at)) {
			at = s.Until
		}
	}
	return at
}
