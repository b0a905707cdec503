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
	req, _ := http.NewRequest("GET", f.hooksURL+"/status", nil)
	req.Header.Set("Authorization", "Bearer "+testAdminToken) // serve asks for the admin token
	resp, err := http.DefaultClient.Do(req)
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
	// outage (workers cache its state briefly): from then on the step waits
	// in the workflow and looks again, reaching no endpoint and using up no
	// attempt (every CallStep activity stays at attempt 1).
	looks := func() (scheduled, maxAttempt int) {
		it := f.client.GetWorkflowHistory(context.Background(), wfID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				return 0, 0
			}
			if ev.GetActivityTaskScheduledEventAttributes() != nil {
				scheduled++
			}
			if a := ev.GetActivityTaskStartedEventAttributes(); a != nil {
				maxAttempt = max(maxAttempt, int(a.GetAttempt()))
			}
		}
		return scheduled, maxAttempt
	}
	var first int
	waitFor(t, 20*time.Second, "the step to be held by the open circuit", func() bool { first, _ = looks(); return first > 0 })
	callsWhenOpen := len(f.receiver.byKey(wfID + "/"))
	waitFor(t, 20*time.Second, "another look while the circuit is open", func() bool { n, _ := looks(); return n > first+1 })
	if n := len(f.receiver.byKey(wfID + "/")); n != callsWhenOpen {
		t.Fatalf("%d calls reached the down endpoint while the circuit was open", n-callsWhenOpen)
	}
	if _, attempt := looks(); attempt != 1 {
		t.Fatalf("a held step used up attempts (attempt %d); circuit waits must not", attempt)
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
