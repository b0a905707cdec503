package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/hookflow/hookflow/activities"
)

func (f *fixture) health(t *testing.T) map[string]activities.HealthState {
	t.Helper()
	resp, err := http.Get(f.hooksURL + "/status")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Integrations map[string]activities.HealthState `json:"integrations"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out.Integrations
}

// TestE2EHealthCheckFlipsAndHoldsSteps: the monitor sees the endpoint go
// down and up, alerts once per change, and a step for the down integration
// waits instead of calling it, then is delivered once it is back.
func TestE2EHealthCheckFlipsAndHoldsSteps(t *testing.T) {
	f := getFixture(t)
	waitFor(t, 20*time.Second, "monitored to be up", func() bool {
		st, ok := f.health(t)["monitored"]
		return ok && st.Up
	})
	f.receiver.setDown(true)
	waitFor(t, 20*time.Second, "monitored to be down", func() bool { return !f.health(t)["monitored"].Up })

	id := uniqueID(t)
	if resp, ans := f.post(t, id, map[string]any{"kind": "monitored", "data": map[string]any{"n": 1}}); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("%d %v", resp.StatusCode, ans)
	}
	wfID := "orders/" + id
	// The circuit opens within a few seconds of the monitor seeing the
	// outage (workers cache its state briefly): from then on attempts end at
	// the circuit, not at the endpoint.
	heldAttempt := func() int32 {
		d, err := f.client.DescribeWorkflowExecution(context.Background(), wfID, "")
		if err != nil {
			return 0
		}
		for _, pa := range d.GetPendingActivities() {
			if strings.Contains(pa.GetLastFailure().GetMessage(), "circuit open: monitored") {
				return pa.GetAttempt()
			}
		}
		return 0
	}
	var first int32
	waitFor(t, 20*time.Second, "the step to be held by the open circuit", func() bool { first = heldAttempt(); return first > 0 })
	callsWhenOpen := len(f.receiver.byKey(wfID + "/"))
	waitFor(t, 20*time.Second, "another attempt held by the circuit", func() bool { return heldAttempt() > first })
	if n := len(f.receiver.byKey(wfID + "/")); n != callsWhenOpen {
		t.Fatalf("%d calls reached the down endpoint while the circuit was open", n-callsWhenOpen)
	}
	f.receiver.setDown(false)
	waitRunStatus(t, f, wfID, enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED)
	if got := f.receiver.byKey(wfID + "/"); len(got) != callsWhenOpen+1 {
		t.Fatalf("%d calls in all, want the %d before the circuit opened and 1 after recovery", len(got), callsWhenOpen)
	}
	var down, up int
	for _, r := range f.receiver.byPath("/alerts/health") {
		switch {
		case strings.Contains(string(r.Body), "monitored is down"):
			down++
		case strings.Contains(string(r.Body), "monitored is up"):
			up++
		}
	}
	if down != 1 || up != 1 {
		t.Fatalf("alerts: %d down, %d up; want one each", down, up)
	}
}
