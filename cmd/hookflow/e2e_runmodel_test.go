package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
)

// TestE2ESignalOnlyWhatTheRunWaitsFor: a misspelled signal is refused with
// the names the run waits for, by the admin API and by `hookflow signal`,
// and the run keeps waiting.
func TestE2ESignalOnlyWhatTheRunWaitsFor(t *testing.T) {
	f := getFixture(t)
	id := uniqueID(t)
	if resp, ans := f.post(t, id, map[string]any{"kind": "approval"}); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("%d %v", resp.StatusCode, ans)
	}
	wfID := "orders/" + id
	waitRunStatus(t, f, wfID, enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING)
	var code int
	var body string
	waitFor(t, 10*time.Second, "the run to start waiting", func() bool {
		req, _ := http.NewRequest("POST", f.hooksURL+"/runs/"+url.PathEscape(wfID)+"/signals/aproved", strings.NewReader(`{"ok":true}`))
		req.Header.Set("Authorization", "Bearer "+testAdminToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		code, body = resp.StatusCode, string(data)
		return strings.Contains(body, "it waits for")
	})
	if code != http.StatusConflict || !strings.Contains(body, `approved (rule approval, step approved)`) {
		t.Fatalf("admin API answered %d %s; want 409 naming the signal the run waits for", code, body)
	}
	if err := f.hookflowErr(t, "signal", wfID, "aproved"); err == nil || !strings.Contains(err.Error(), "approved (rule approval, step approved)") {
		t.Fatalf("hookflow signal said %v; want a refusal naming approved", err)
	}
	if err := f.hookflowErr(t, "signal", "hookflow/health", "config"); err == nil || !strings.Contains(err.Error(), "not the run of an event") {
		t.Fatalf("signalling the health monitor said %v; want a refusal", err)
	}
	f.hookflow(t, "cancel", wfID)
	waitRunStatus(t, f, wfID, enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED)
}

// TestE2EBrokenRuleFailsAlone: a rule whose `when` fails at run time fails
// on its own (HookFailedSteps brittle/when), its neighbour delivers, and a
// replay with the current rules re-runs it once the rule is fixed.
func TestE2EBrokenRuleFailsAlone(t *testing.T) {
	f := getFixture(t)
	id := uniqueID(t)
	if resp, ans := f.post(t, id, map[string]any{"kind": "mixed", "data": map[string]any{"items": []int{1}}}); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("%d %v", resp.StatusCode, ans)
	}
	wfID := "orders/" + id
	waitRunStatus(t, f, wfID, enumspb.WORKFLOW_EXECUTION_STATUS_FAILED)
	got := paths(f.receiver.byKey(wfID + "/"))
	if !contains(got, "/sturdy") || !contains(got, "/alerts") || contains(got, "/brittle") {
		t.Fatalf("calls %v; want sturdy's call and brittle's alert", got)
	}
	waitFor(t, 10*time.Second, "the run to be found by HookFailedSteps", func() bool {
		out := f.hookflow(t, "runs", "--query", fmt.Sprintf(`WorkflowId = %q AND HookFailedSteps = "brittle/when"`, wfID))
		return strings.Contains(out, "1 run(s)")
	})
	if !strings.Contains(f.workerLog.String(), "rule failed to match") {
		t.Errorf("the worker logged nothing about the broken rule")
	}
	// Fix the rule; the worker reloads it; replay with the current rules.
	fixed := strings.Replace(testRules["brittle.yaml"], "payload.data.items[3] > 1", "len(payload.data.items) > 3", 1)
	file := filepath.Join(f.dir, "rules", "brittle.yaml")
	reloads := strings.Count(f.workerLog.String(), "project reloaded")
	if err := os.WriteFile(file, []byte(fixed), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.WriteFile(file, []byte(testRules["brittle.yaml"]), 0o644) })
	waitFor(t, 20*time.Second, "the worker to reload the fixed rule", func() bool {
		return strings.Count(f.workerLog.String(), "project reloaded") > reloads
	})
	out := f.hookflow(t, "replay", "--rules", "current", wfID)
	if !strings.Contains(out, "replaying failed run") {
		t.Fatalf("replay said %s", out)
	}
	waitRunStatus(t, f, wfID, enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED)
	if n := strings.Count(strings.Join(paths(f.receiver.byKey(wfID+"/")), " "), "/sturdy"); n != 1 {
		t.Fatalf("sturdy called %d times; its success is reused by the replay", n)
	}
}

// TestE2EBigIntegerSearchAttribute: an int attribute above 2^53 is stored
// exactly (it once crossed the workflow as a float64).
func TestE2EBigIntegerSearchAttribute(t *testing.T) {
	f := getFixture(t)
	id := uniqueID(t)
	body := []byte(`{"kind":"ok","data":{"email":"big@example.com","n":820982911946154508}}`)
	if resp, ans := f.postBytes(t, id, body); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("%d %v", resp.StatusCode, ans)
	}
	wfID := "orders/" + id
	waitRunStatus(t, f, wfID, enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED)
	waitFor(t, 10*time.Second, "the run to be found by its exact OrderN", func() bool {
		out := f.hookflow(t, "runs", "--query", fmt.Sprintf(`WorkflowId = %q AND OrderN = 820982911946154508`, wfID))
		return strings.Contains(out, "1 run(s)")
	})
	d, err := f.client.DescribeWorkflowExecution(context.Background(), wfID, "")
	if err != nil {
		t.Fatal(err)
	}
	if raw := string(d.GetWorkflowExecutionInfo().GetSearchAttributes().GetIndexedFields()["OrderN"].GetData()); raw != "820982911946154508" {
		t.Fatalf("OrderN stored as %s", raw)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestE2EHistoryOfTwoStepRun pins the history of the commonest run: one
// rule, two sequential calls, planned at the door. Each event in history is
// persistence work per event; the run model v1 wrote 21 for this run.
func TestE2EHistoryOfTwoStepRun(t *testing.T) {
	f := getFixture(t)
	id := uniqueID(t)
	if resp, ans := f.post(t, id, map[string]any{"kind": "pair", "data": map[string]any{"n": 1}}); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("%d %v\n%s", resp.StatusCode, ans, f.serveLog.String())
	}
	wfID := "orders/" + id
	waitRunStatus(t, f, wfID, enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED)
	var got []string
	it := f.client.GetWorkflowHistory(context.Background(), wfID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, strings.TrimPrefix(ev.GetEventType().String(), "EVENT_TYPE_"))
	}
	want := []string{
		"WorkflowExecutionStarted", "WorkflowTaskScheduled", "WorkflowTaskStarted", "WorkflowTaskCompleted",
		"MarkerRecorded", "MarkerRecorded", "UpsertWorkflowSearchAttributes", "WorkflowExecutionCompleted",
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("history of a two-step run (%d events):\n%s\nwant (%d):\n%s", len(got), strings.Join(got, "\n"), len(want), strings.Join(want, "\n"))
	}
	if n := len(f.receiver.byKey(wfID + "/")); n != 2 {
		t.Fatalf("%d calls, want 2", n)
	}
}

// TestE2ENoMatchEventIsRecordedNotRun: an event no rule wants starts no
// run; the door answers once its no-match ledger holds it, and
// `hookflow runs --event-id` says what happened to it.
func TestE2ENoMatchEventIsRecordedNotRun(t *testing.T) {
	f := getFixture(t)
	id := uniqueID(t)
	resp, ans := f.post(t, id, map[string]any{"kind": "nothing-wants-this"})
	if resp.StatusCode != http.StatusAccepted || ans["no_match"] != true || !strings.HasPrefix(ans["workflow_id"].(string), "nomatch/orders/") {
		t.Fatalf("%d %v; want 202 naming the no-match ledger", resp.StatusCode, ans)
	}
	if _, err := f.client.DescribeWorkflowExecution(context.Background(), "orders/"+id, ""); err == nil {
		t.Fatal("a run was started for an event no rule matched")
	}
	// Without --trigger, runs finds the ledger through Visibility, which
	// lists a ledger started moments ago a moment later.
	var out string
	waitFor(t, 10*time.Second, "runs --event-id to find the no-match record", func() bool {
		out, _ = f.tryHookflow("runs", "--event-id", id)
		return strings.Contains(out, id+": no rule matched (rules version ") && strings.Contains(out, ans["workflow_id"].(string))
	})
	// A provider's retry is answered the same way and recorded again.
	if resp, again := f.post(t, id, map[string]any{"kind": "nothing-wants-this"}); resp.StatusCode != http.StatusAccepted || again["no_match"] != true {
		t.Fatalf("retry: %d %v", resp.StatusCode, again)
	}
}
