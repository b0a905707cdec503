package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/hookflow/hookflow/triggers/verify"
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

func TestE2ECorrelatedEventResumesWaitingRun(t *testing.T) {
	f := getFixture(t)
	invoice := "in_" + uniqueID(t)
	failedID, paidID := uniqueID(t)+"-failed", uniqueID(t)+"-paid"
	f.postTo(t, "invoices", failedID, map[string]any{"type": "invoice.payment_failed", "invoice": invoice})
	// The waiting run is found by its key in visibility, which trails the start by a moment.
	waitFor(t, 10*time.Second, "the waiting run to be visible by its correlation key", func() bool {
		resp, err := f.client.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{
			Query: fmt.Sprintf("HookCorrelationKey = %q", invoice),
		})
		return err == nil && len(resp.GetExecutions()) == 1
	})
	f.postTo(t, "invoices", paidID, map[string]any{"type": "invoice.paid", "invoice": invoice})

	waiting := "invoices/" + failedID
	waitRunStatus(t, f, waiting, enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED)
	var thanks, remind int
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
	if thanks != 1 || remind != 0 {
		t.Fatalf("thanks %d, remind %d; want the paid event to cancel the reminder", thanks, remind)
	}
	// The paid event's own run matched no rule and completed.
	waitRunStatus(t, f, "invoices/"+paidID, enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED)
}
