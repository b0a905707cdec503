package workflows_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/hookflow/hookflow/activities"
	"github.com/hookflow/hookflow/workflows"
)

const twoSteps = `
name: two
on: [shop]
when: event.type == "order"
steps:
  - id: contact
    call: crm.send
    with: { path: /contact, body: { email: "${{ payload.email }}" } }
  - id: notify
    call: ops.send
    needs: [contact]
    with: { path: /notify, body: { contact: "${{ steps.contact.output.id }}" } }
`

func TestTwoStepsRunAsLocalActivitiesInNeedsOrder(t *testing.T) {
	h := newHarness(t, map[string]string{"two.yaml": twoSteps})
	h.recv.answer("/crm/contact", `{"id":"c-1"}`)
	res, err := h.run(h.event("order", map[string]any{"email": "a@example.com"}))
	if err != nil {
		t.Fatal(err)
	}
	if got := joined(h.recv.paths()); got != "/crm/contact /ops/notify" {
		t.Fatalf("calls %q, want contact then notify", got)
	}
	if n := jsonBody(t, h.recv.requests("/ops/notify")[0])["contact"]; n != "c-1" {
		t.Errorf("notify saw contact %v, want c-1 (contact's output)", n)
	}
	if h.starts("local CallStep") != 2 || h.starts("activity CallStep") != 0 {
		t.Errorf("started %v; want two CallStep local activities and no activity", h.started)
	}
	if k := h.recv.requests("/ops/notify")[0].Key; !strings.HasSuffix(k, "/two/notify") {
		t.Errorf("Idempotency-Key %q", k)
	}
	if res.Status != workflows.StatusCompleted || res.Rules[0].Steps["notify"].Status != "succeeded" {
		t.Fatalf("result %+v", res)
	}
	if res.Rules[0].Steps["contact"].Output != nil {
		t.Errorf("a completed run's result repeats outputs: %+v", res.Rules[0].Steps)
	}
}

// TestSkippedStepSchedulesNoCall: `if` is evaluated before anything is
// scheduled; a skipped step and its dependants call nothing and show as
// skipped.
func TestSkippedStepSchedulesNoCall(t *testing.T) {
	h := newHarness(t, map[string]string{"gate.yaml": `
name: gate
on: [shop]
steps:
  - id: big
    if: payload.total > vars.threshold
    call: crm.send
    with: { path: /big }
  - id: after
    call: ops.send
    needs: [big]
    with: { path: /after }
  - id: always
    call: ops.send
    with: { path: /always }
`})
	res, err := h.run(h.event("order", map[string]any{"total": 5}))
	if err != nil {
		t.Fatal(err)
	}
	if got := joined(h.recv.paths()); got != "/ops/always" {
		t.Fatalf("calls %q, want only /ops/always", got)
	}
	if h.starts("local CallStep") != 1 || h.starts("local Evaluate") != 1 || h.starts("activity CallStep") != 0 {
		t.Errorf("started %v; want one Evaluate (the if) and one CallStep (always)", h.started)
	}
	steps := res.Rules[0].Steps
	if steps["big"].Status != "skipped" || steps["after"].Status != "skipped" || steps["always"].Status != "succeeded" {
		t.Fatalf("steps %+v", steps)
	}
}

// TestRetryableFailureMovesToAnActivity: the local attempt fails with 503;
// the step goes on as a CallStep activity with the rendered request (not
// the event) and the integration's retry schedule, same Idempotency-Key.
func TestRetryableFailureMovesToAnActivity(t *testing.T) {
	h := newHarness(t, map[string]string{"two.yaml": twoSteps})
	h.recv.answer("/crm/contact", `{"id":"c-1"}`, 503, 503, 200)
	start := h.env.Now()
	if _, err := h.run(h.event("order", map[string]any{"email": "a@example.com"})); err != nil {
		t.Fatal(err)
	}
	reqs := h.recv.requests("/crm/contact")
	if len(reqs) != 3 {
		t.Fatalf("%d attempts at contact, want 3", len(reqs))
	}
	for _, r := range reqs {
		if r.Key != reqs[0].Key || r.Body != reqs[0].Body {
			t.Fatalf("attempts differ: %+v", reqs)
		}
	}
	if h.starts("local CallStep") != 2 || len(h.inputs) != 2 {
		t.Fatalf("started %v; want the first attempt local, the next two as CallStep activity attempts", h.started)
	}
	for _, in := range h.inputs {
		if !in.Prepared || in.Input["body"] == nil || in.Event.Payload != nil || in.Step.With != nil {
			t.Errorf("the activity got %+v; want the rendered input only", in)
		}
	}
	if d := h.env.Now().Sub(start); d < time.Second {
		t.Errorf("retried after %s; want the integration's initial interval (1s) first", d)
	}
}

func TestMaxAttemptsCountsTheLocalAttempt(t *testing.T) {
	h := newHarness(t, map[string]string{"one.yaml": `
name: one
on: [shop]
steps:
  - id: sms
    call: crm.send
    retry: { max_attempts: 1 }
    with: { path: /sms }
`})
	h.recv.answer("/crm/sms", "", 503, 503)
	res, err := h.run(h.event("order", nil))
	if err == nil {
		t.Fatal("run succeeded; want it failed after one attempt")
	}
	if n := len(h.recv.requests("/crm/sms")); n != 1 {
		t.Fatalf("%d attempts, want exactly 1", n)
	}
	if f := res.Rules[0].Failure; f == nil || !strings.Contains(f.Message, "gave up after 1 attempt") {
		t.Fatalf("failure %+v", f)
	}
}

func TestPermanentFailureRunsOnFailure(t *testing.T) {
	h := newHarness(t, map[string]string{"bad.yaml": `
name: bad
on: [shop]
steps:
  - id: contact
    call: crm.send
    with: { path: /contact }
  - id: never
    call: crm.send
    needs: [contact]
    with: { path: /never }
on_failure:
  - call: ops.send
    with: { path: /alert, body: { text: "${{ failure.step }}: ${{ failure.message }}" } }
`})
	h.recv.answer("/crm/contact", `{"message":"email is invalid"}`, 400)
	res, err := h.run(h.event("order", nil))
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != "StepFailed" {
		t.Fatalf("error %v; want StepFailed", err)
	}
	if got := joined(h.recv.paths()); got != "/crm/contact /ops/alert" {
		t.Fatalf("calls %q, want contact then the alert", got)
	}
	if text := jsonBody(t, h.recv.requests("/ops/alert")[0])["text"]; !strings.Contains(text.(string), "HTTP 400") || !strings.HasPrefix(text.(string), "contact: ") {
		t.Errorf("alert text %q", text)
	}
	if _, ran := res.Rules[0].Steps["never"]; res.Status != workflows.StatusFailed || res.Plan == nil || ran {
		t.Fatalf("result %+v", res)
	}
}

// TestBrokenRuleFailsAlone: a `when` that errors at run time fails its own
// rule (visible as rule/when), runs its on_failure, and the neighbour runs.
func TestBrokenRuleFailsAlone(t *testing.T) {
	h := newHarness(t, map[string]string{
		"broken.yaml": `
name: broken
on: [shop]
when: payload.items[5] > 1
steps:
  - { id: never, call: crm.send, with: { path: /never } }
on_failure:
  - call: ops.send
    with: { path: /alert, body: { text: "${{ failure.step }}: ${{ failure.message }}" } }
`,
		"fine.yaml": `
name: fine
on: [shop]
steps:
  - { id: send, call: crm.send, with: { path: /fine } }
`})
	res, err := h.run(h.event("order", map[string]any{"items": []any{1}}))
	if err == nil {
		t.Fatal("run completed; want it failed by the broken rule")
	}
	if got := joined(h.recv.paths()); !strings.Contains(got, "/crm/fine") || !strings.Contains(got, "/ops/alert") || strings.Contains(got, "never") {
		t.Fatalf("calls %q; want fine's call and broken's alert", got)
	}
	var broken, fine workflows.RuleResult
	for _, r := range res.Rules {
		switch r.Name {
		case "broken":
			broken = r
		case "fine":
			fine = r
		}
	}
	if broken.Status != workflows.StatusFailed || broken.Failure == nil || broken.Failure.Step != "when" {
		t.Errorf("broken %+v", broken)
	}
	if fine.Status != workflows.StatusCompleted {
		t.Errorf("fine %+v", fine)
	}
}

// TestIntegersAboveTwoToThe53StayExact: an id from one response reaches the
// next request unchanged, also through a retried (escalated) call.
func TestIntegersAboveTwoToThe53StayExact(t *testing.T) {
	h := newHarness(t, map[string]string{"two.yaml": twoSteps})
	h.recv.answer("/crm/contact", `{"id":820982911946154508}`)
	h.recv.answer("/ops/notify", "", 503)
	if _, err := h.run(h.event("order", map[string]any{"email": "a@example.com"})); err != nil {
		t.Fatal(err)
	}
	for _, r := range h.recv.requests("/ops/notify") {
		if !strings.Contains(r.Body, "820982911946154508") {
			t.Fatalf("notify body %s lost the id's digits", r.Body)
		}
	}
	if n := len(h.recv.requests("/ops/notify")); n != 2 {
		t.Fatalf("%d notify attempts, want 2", n)
	}
}

const waiting = `
name: approval
on: [shop]
steps:
  - id: approved
    wait_for: { signal: approved, timeout: 1h, match: signal.ok == true }
  - id: notify
    call: ops.send
    needs: [approved]
    with: { path: /notify, body: { by: "${{ steps.approved.output?.by }}", timed_out: "${{ steps.approved.timed_out }}" } }
on_cancel:
  - call: ops.send
    with: { path: /cancelled }
`

func TestWaitForSignalMatchAndTimeout(t *testing.T) {
	h := newHarness(t, map[string]string{"approval.yaml": waiting})
	h.env.RegisterDelayedCallback(func() { h.env.SignalWorkflow("approved", map[string]any{"ok": false, "by": "mallory"}) }, time.Minute)
	h.env.RegisterDelayedCallback(func() { h.env.SignalWorkflow("approved", map[string]any{"ok": true, "by": "ada"}) }, 2*time.Minute)
	if _, err := h.run(h.event("order", nil)); err != nil {
		t.Fatal(err)
	}
	if by := jsonBody(t, h.recv.requests("/ops/notify")[0])["by"]; by != "ada" {
		t.Fatalf("notify by %v; want the matching signal's ada", by)
	}

	h = newHarness(t, map[string]string{"approval.yaml": waiting})
	if _, err := h.run(h.event("order", nil)); err != nil {
		t.Fatal(err)
	}
	if to := jsonBody(t, h.recv.requests("/ops/notify")[0])["timed_out"]; to != true {
		t.Fatalf("timed_out %v; want true after the hour", to)
	}
}

// TestCancelEndsCanceled: a cancelled wait is not a timeout: nothing after
// it is called, on_cancel runs, and the run ends CANCELED.
func TestCancelEndsCanceled(t *testing.T) {
	for name, rule := range map[string]string{
		"wait with timeout":    waiting,
		"wait without timeout": strings.Replace(waiting, "timeout: 1h, ", "", 1),
		"sleep":                strings.Replace(waiting, "wait_for: { signal: approved, timeout: 1h, match: signal.ok == true }", "sleep: 1d", 1),
	} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, map[string]string{"approval.yaml": rule})
			h.env.RegisterDelayedCallback(h.env.CancelWorkflow, 10*time.Minute)
			res, err := h.run(h.event("order", nil))
			var canceled *temporal.CanceledError
			if !errors.As(err, &canceled) {
				t.Fatalf("error %v; want the run cancelled", err)
			}
			if got := joined(h.recv.paths()); got != "/ops/cancelled" {
				t.Fatalf("calls %q; want only on_cancel's", got)
			}
			if res.Status != workflows.StatusCanceled || res.Rules[0].Status != workflows.StatusCanceled || res.Rules[0].Steps["approved"].Status != "canceled" {
				t.Fatalf("result %+v", res)
			}
		})
	}
}

func TestWaitingQuery(t *testing.T) {
	h := newHarness(t, map[string]string{"approval.yaml": waiting})
	var got []workflows.Waiting
	h.env.RegisterDelayedCallback(func() {
		v, err := h.env.QueryWorkflow(workflows.WaitingQuery)
		if err == nil {
			_ = v.Get(&got)
		}
		h.env.SignalWorkflow("approved", map[string]any{"ok": true})
	}, time.Minute)
	if _, err := h.run(h.event("order", nil)); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Signal != "approved" || got[0].Step != "approved" || got[0].Until.IsZero() {
		t.Fatalf("waiting %+v", got)
	}
}

var _ = activities.CallStepName
