package workflows_test

import (
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/workflow"
)

// coroutines counts the coroutines a run starts through workflow.Go: its
// root, the SDK's one per local activity, and hookflow's own.
type coroutines struct {
	interceptor.WorkerInterceptorBase
	started atomic.Int32
}

func (c *coroutines) InterceptWorkflow(_ workflow.Context, next interceptor.WorkflowInboundInterceptor) interceptor.WorkflowInboundInterceptor {
	return &coroutinesInbound{WorkflowInboundInterceptorBase: interceptor.WorkflowInboundInterceptorBase{Next: next}, c: c}
}

type coroutinesInbound struct {
	interceptor.WorkflowInboundInterceptorBase
	c *coroutines
}

func (i *coroutinesInbound) Init(out interceptor.WorkflowOutboundInterceptor) error {
	return i.Next.Init(&coroutinesOutbound{WorkflowOutboundInterceptorBase: interceptor.WorkflowOutboundInterceptorBase{Next: out}, c: i.c})
}

type coroutinesOutbound struct {
	interceptor.WorkflowOutboundInterceptorBase
	c *coroutines
}

func (o *coroutinesOutbound) Go(ctx workflow.Context, name string, f func(ctx workflow.Context)) workflow.Context {
	o.c.started.Add(1)
	return o.Next.Go(ctx, name, f)
}

// countCoroutines makes h count the coroutines its runs start.
func countCoroutines(h *harness) *coroutines {
	c := &coroutines{}
	opts := testWorkerOptions()
	opts.Interceptors = []interceptor.WorkerInterceptor{c}
	h.env.SetWorkerOptions(opts)
	return c
}

// oneRuleSleepThenCall holds its run on a timer, so the run's coroutines
// can be counted while it waits.
const oneRuleSleepThenCall = `
name: later
on: [shop]
when: event.type == "order"
steps:
  - id: pause
    sleep: 1h
  - id: notify
    call: ops.send
    needs: [pause]
    with: { path: /notify, body: { id: "${{ event.id }}" } }
`

// TestOneRuleRunsInTheRootCoroutine: a run with one rule (and no step
// waiting for an event or signal) runs that rule, and each of its steps
// that starts alone, in the workflow's root coroutine. Every coroutine costs
// the SDK a goroutine and a hand-off on every pass of its dispatcher; the
// commands, and their order, are those of a coroutine per rule and step
// (the replay corpus holds histories recorded that way).
func TestOneRuleRunsInTheRootCoroutine(t *testing.T) {
	h := newHarness(t, map[string]string{"later.yaml": oneRuleSleepThenCall})
	c := countCoroutines(h)
	res, err := h.run(h.event("order", nil))
	if err != nil {
		t.Fatal(err)
	}
	if got := joined(h.recv.paths()); got != "/ops/notify" {
		t.Fatalf("calls %q, want /ops/notify after the sleep", got)
	}
	if res.Rules[0].Steps["pause"].Status != "succeeded" || res.Rules[0].Steps["notify"].Status != "succeeded" {
		t.Fatalf("result %+v", res)
	}
	// The root and the SDK's one per local activity; hookflow's none.
	if n, want := int(c.started.Load()), 1+h.localStarts(); n != want {
		t.Fatalf("the run started %d coroutines, want %d: the root and one for each of its %d local activities", n, want, want-1)
	}
}

// TestParallelStepsStillRunTogether: steps that start together run in
// coroutines of their own, so one's wait does not hold the other.
func TestParallelStepsStillRunTogether(t *testing.T) {
	h := newHarness(t, map[string]string{"both.yaml": `
name: both
on: [shop]
when: event.type == "order"
steps:
  - id: pause
    sleep: 1h
  - id: now
    call: ops.send
    with: { path: /now, body: {} }
`})
	c := countCoroutines(h)
	var calledBeforeTheSleepEnded string
	h.env.RegisterDelayedCallback(func() { calledBeforeTheSleepEnded = joined(h.recv.paths()) }, 10*time.Minute)
	if _, err := h.run(h.event("order", nil)); err != nil {
		t.Fatal(err)
	}
	if calledBeforeTheSleepEnded != "/ops/now" {
		t.Fatalf("calls while the other step slept: %q, want /ops/now", calledBeforeTheSleepEnded)
	}
	// The root, one for each step, and the SDK's one per local activity.
	if n, want := int(c.started.Load()), 1+2+h.localStarts(); n != want {
		t.Fatalf("the run started %d coroutines, want %d: the root, one for each step and one for each of its %d local activities", n, want, want-3)
	}
}
