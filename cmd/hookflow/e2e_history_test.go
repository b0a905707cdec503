package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/hookflow/hookflow/activities"
	"github.com/hookflow/hookflow/workflows"
)

var recordHistory = flag.String("record-history", "", "write the recorded histories of every workflow shape to this directory (workflows/testdata)")

// historyEvents is the history of the workflow's run (its latest for "").
func historyEvents(t *testing.T, f *fixture, wfID, runID string) []*historypb.HistoryEvent {
	t.Helper()
	var events []*historypb.HistoryEvent
	it := f.client.GetWorkflowHistory(context.Background(), wfID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		events = append(events, e)
	}
	return events
}

// TestE2EHistoryReplays runs every workflow shape on the embedded server —
// sequential, parallel, needs, if/skip, sleep, wait_for by signal, by
// correlation and by timeout, cancel (with and without a coroutine per
// step), on_failure, retries past the local
// attempt, replay with the current rules, the correlation mailbox, the
// health monitor across continue-as-new, the no-match ledger — and replays
// each history against
// the workflows as workers register them. With -record-history DIR it
// writes them for workflows/replay_test.go, which replays the committed
// corpus on every `go test ./...` (see workflows/testdata/README.md).
func TestE2EHistoryReplays(t *testing.T) {
	f := getFixture(t)
	ctx := context.Background()
	post := func(kind string, data map[string]any) string {
		t.Helper()
		id := uniqueID(t) + "-" + kind
		if resp, ans := f.post(t, id, map[string]any{"kind": kind, "data": data}); resp.StatusCode != http.StatusAccepted {
			t.Fatalf("%s: %d %v", kind, resp.StatusCode, ans)
		}
		return "orders/" + id
	}
	shapes := map[string]string{} // file name → workflow id (its latest run)
	closed := func(name, wfID string, st enumspb.WorkflowExecutionStatus) {
		waitRunStatus(t, f, wfID, st)
		shapes[name] = wfID
	}

	closed("sequential", post("pair", map[string]any{"n": 1}), enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED)
	closed("parallel_needs", post("fan", nil), enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED)
	closed("sleep_timeout_if", post("nap", nil), enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED)
	closed("retried", post("flaky", map[string]any{"n": 1}), enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED)
	closed("on_failure", post("bad", map[string]any{"n": 1}), enumspb.WORKFLOW_EXECUTION_STATUS_FAILED)

	approved := post("approval", nil)
	yes := filepath.Join(t.TempDir(), "approved.json")
	if err := os.WriteFile(yes, []byte(`{"ok":true,"by":"ann"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "the approval run to wait", func() bool { return f.hookflowErr(t, "signal", approved, "approved", yes) == nil })
	closed("signal", approved, enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED)

	canceled := post("approval", nil)
	waitRunStatus(t, f, canceled, enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING)
	f.hookflow(t, "cancel", canceled)
	closed("cancel_on_cancel", canceled, enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED)

	// One rule with no wait_for runs in the root coroutine (workflows.alone):
	// an if, a call, a sleep cancelled and on_cancel, all in place.
	snoozing := post("snooze", map[string]any{"n": 1})
	waitFor(t, 10*time.Second, "the snooze run to sleep", func() bool {
		return slices.ContainsFunc(historyEvents(t, f, snoozing, ""), func(e *historypb.HistoryEvent) bool {
			return e.GetEventType() == enumspb.EVENT_TYPE_TIMER_STARTED
		})
	})
	f.hookflow(t, "cancel", snoozing)
	closed("alone_cancel_sleep", snoozing, enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED)

	group := "hist-" + uniqueID(t)
	fixable := post("fixable", map[string]any{"n": 1, "group": group})
	waitRunStatus(t, f, fixable, enumspb.WORKFLOW_EXECUTION_STATUS_FAILED)
	f.receiver.fix(group)
	f.hookflow(t, "replay", "--rules", "current", fixable)
	closed("replay_current_rules", fixable, enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED)

	invoice := fmt.Sprintf("in_hist_%d", time.Now().UnixNano())
	f.postTo(t, "invoices", invoice+"-failed", map[string]any{"type": "invoice.payment_failed", "invoice": invoice})
	f.postTo(t, "invoices", invoice+"-paid", map[string]any{"type": "invoice.paid", "invoice": invoice})
	closed("correlated_wait", "invoices/"+invoice+"-failed", enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED)
	closed("correlated_publish", "invoices/"+invoice+"-paid", enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED)
	shapes["mailbox"] = activities.MailboxID("invoices", invoice) // still holding the event: a partial history

	// A no-match event, and its provider's retry of it (the ledger counts it
	// once since "nomatch-once"; history_v2_nomatch_ledger.json is a ledger
	// from before).
	nomatch := uniqueID(t) + "-nomatch"
	for range 2 {
		if resp, ans := f.post(t, nomatch, map[string]any{"kind": "nothing-wants-this"}); resp.StatusCode != http.StatusAccepted || ans["no_match"] != true {
			t.Fatalf("no-match event: %d %v", resp.StatusCode, ans)
		} else {
			shapes["nomatch_ledger_once"] = ans["workflow_id"].(string) // open until its hour ends: a partial history
		}
	}

	monitor := "hookflow-e2e/health-" + uniqueID(t)
	run, err := f.client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: monitor, TaskQueue: workflows.TaskQueue},
		workflows.HealthWorkflowName, workflows.HealthInput{Ticks: 2})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "the monitor to continue as new", func() bool {
		d, err := f.client.DescribeWorkflowExecution(ctx, monitor, run.GetRunID())
		return err == nil && d.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW
	})
	defer f.client.TerminateWorkflow(ctx, monitor, "", "recorded")

	dir := t.TempDir()
	if *recordHistory != "" {
		dir = *recordHistory
	}
	write := func(name, wfID, runID string) {
		data, err := protojson.MarshalOptions{Indent: "  "}.Marshal(&historypb.History{Events: historyEvents(t, f, wfID, runID)})
		if err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(dir, "history_v2_"+name+".json")
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Run(name, func(t *testing.T) {
			r := worker.NewWorkflowReplayer()
			workflows.Register(r)
			if err := r.ReplayWorkflowHistoryFromJSONFile(nil, file); err != nil {
				t.Fatalf("replay %s: %v", file, err)
			}
		})
	}
	for name, wfID := range shapes {
		write(name, wfID, "")
	}
	write("health_continue_as_new", monitor, run.GetRunID())
}
