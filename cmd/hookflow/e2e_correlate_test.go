package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/hookflow/hookflow/activities"
	"github.com/hookflow/hookflow/triggers/verify"
	"github.com/hookflow/hookflow/workflows"
)

// postTo signs payload for trigger with the fixture's Standard Webhooks secret.
func (f *fixture) postTo(t *testing.T, trigger, id string, payload any) {
	t.Helper()
	body, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	url := f.hooksURL + "/hooks/" + trigger
	h, err := verify.Sign(verify.Config{Scheme: "standard", Secret: verify.Secrets{f.secret}}, verify.Request{Method: "POST", URL: url, Body: body}, id, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if resp, ans := f.postRaw(t, url, h, body); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("%s: %d %v", trigger, resp.StatusCode, ans)
	}
}

// dunningOutcome waits for the dunning run of failedID to complete and
// returns how often it thanked (the paid event reached it) and reminded.
func (f *fixture) dunningOutcome(t *testing.T, failedID, invoice string) (thanks, remind int) {
	t.Helper()
	waiting := "invoices/" + failedID
	waitRunStatus(t, f, waiting, enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED)
	for _, r := range f.receiver.byKey(waiting + "/") {
		switch r.Path {
		case "/thanks":
			thanks++
			if !strings.Contains(string(r.Body), invoice) {
				t.Errorf("thanks body %s lacks the invoice from the paid event", r.Body)
			}
		case "/remind":
			remind++
		}
	}
	return thanks, remind
}

// TestE2ECorrelationRace: an event posted 0–100 ms after the run it belongs
// to reaches it, every time (Visibility's lag dropped these before).
func TestE2ECorrelationRace(t *testing.T) {
	f := getFixture(t)
	for i := range 10 {
		invoice := fmt.Sprintf("in_race_%d_%d", i, time.Now().UnixNano())
		failedID, paidID := invoice+"-failed", invoice+"-paid"
		f.postTo(t, "invoices", failedID, map[string]any{"type": "invoice.payment_failed", "invoice": invoice})
		time.Sleep(time.Duration(i) * 11 * time.Millisecond) // 0 … 99 ms
		f.postTo(t, "invoices", paidID, map[string]any{"type": "invoice.paid", "invoice": invoice})
		if thanks, remind := f.dunningOutcome(t, failedID, invoice); thanks != 1 || remind != 0 {
			t.Fatalf("round %d (paid %d ms after): thanks %d, remind %d; want the paid event delivered once", i, i*11, thanks, remind)
		}
	}
}

// TestE2ECorrelationEventBeforeRun: a provider delivers out of order — the
// paid event arrives before the run that waits for it even exists.
func TestE2ECorrelationEventBeforeRun(t *testing.T) {
	f := getFixture(t)
	for i := range 10 {
		invoice := fmt.Sprintf("in_early_%d_%d", i, time.Now().UnixNano())
		failedID, paidID := invoice+"-failed", invoice+"-paid"
		f.postTo(t, "invoices", paidID, map[string]any{"type": "invoice.paid", "invoice": invoice})
		time.Sleep(time.Duration(i) * 11 * time.Millisecond)
		f.postTo(t, "invoices", failedID, map[string]any{"type": "invoice.payment_failed", "invoice": invoice})
		if thanks, remind := f.dunningOutcome(t, failedID, invoice); thanks != 1 || remind != 0 {
			t.Fatalf("round %d: thanks %d, remind %d; want the buffered paid event delivered once", i, thanks, remind)
		}
	}
}

// TestE2ECorrelationAtMostOncePerStep: two paid events at once reach the
// waiting step once; the mailbox keeps the other, unclaimed by that step.
func TestE2ECorrelationAtMostOncePerStep(t *testing.T) {
	f := getFixture(t)
	invoice := fmt.Sprintf("in_twice_%d", time.Now().UnixNano())
	failedID := invoice + "-failed"
	f.postTo(t, "invoices", failedID, map[string]any{"type": "invoice.payment_failed", "invoice": invoice})
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Go(func() {
			f.postTo(t, "invoices", fmt.Sprintf("%s-paid-%d", invoice, i), map[string]any{"type": "invoice.paid", "invoice": invoice})
		})
	}
	wg.Wait()
	if thanks, remind := f.dunningOutcome(t, failedID, invoice); thanks != 1 || remind != 0 {
		t.Fatalf("thanks %d, remind %d; want exactly one delivery", thanks, remind)
	}
	var st activities.MailboxState
	waitFor(t, 10*time.Second, "the mailbox to hold both paid events (and only those: no rule waits for payment_failed)", func() bool {
		v, err := f.client.QueryWorkflow(context.Background(), activities.MailboxID("invoices", invoice), "", activities.MailboxQuery)
		return err == nil && v.Get(&st) == nil && len(st.Events) == 2
	})
	claimed := 0
	for _, e := range st.Events {
		if len(e.Claims) > 0 {
			claimed++
			if e.Claims[0] != "dunning/paid" || len(e.Claims) != 1 {
				t.Errorf("claims %v", e.Claims)
			}
		}
	}
	if claimed != 1 {
		t.Fatalf("%d events claimed; want exactly one: %+v", claimed, st.Events)
	}
}

// TestE2ECorrelationOnlyFromItsTrigger: an event with the same key on an
// unsigned trigger does not resume a run started by a signed one.
func TestE2ECorrelationOnlyFromItsTrigger(t *testing.T) {
	f := getFixture(t)
	invoice := fmt.Sprintf("in_cross_%d", time.Now().UnixNano())
	failedID := invoice + "-failed"
	f.postTo(t, "invoices", failedID, map[string]any{"type": "invoice.payment_failed", "invoice": invoice})
	body, _ := json.Marshal(map[string]any{"type": "invoice.paid", "invoice": invoice, "forged": true})
	resp, ans := f.postRaw(t, f.hooksURL+"/hooks/invoices-weak", http.Header{"Content-Type": {"application/json"}}, body)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("weak trigger: %d %v", resp.StatusCode, ans)
	}
	if ans["no_match"] != true {
		t.Fatalf("the forged event answered %v; no rule wants or awaits it from this trigger", ans)
	}
	if _, err := f.client.DescribeWorkflowExecution(context.Background(), activities.MailboxID("invoices-weak", invoice), ""); err == nil {
		t.Fatal("the forged event reached a mailbox although no rule awaits events of its trigger")
	}
	waitingFor := func() []workflows.Waiting {
		var w []workflows.Waiting
		if v, err := f.client.QueryWorkflow(context.Background(), "invoices/"+failedID, "", workflows.WaitingQuery); err == nil {
			_ = v.Get(&w)
		}
		return w
	}
	if w := waitingFor(); len(w) != 1 || w[0].Step != "paid" || strings.Join(w[0].Triggers, ",") != "invoices" {
		t.Fatalf("after the forged event the run waits for %+v; want still waiting on invoices only", w)
	}
	if got := f.receiver.byKey("invoices/" + failedID + "/"); len(got) != 0 {
		t.Fatalf("the forged event resumed the run: %d calls", len(got))
	}
	f.postTo(t, "invoices", invoice+"-paid", map[string]any{"type": "invoice.paid", "invoice": invoice})
	if thanks, _ := f.dunningOutcome(t, failedID, invoice); thanks != 1 {
		t.Fatalf("thanks %d after the signed paid event", thanks)
	}
}
