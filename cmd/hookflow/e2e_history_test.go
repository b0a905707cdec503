package main

import (
	"context"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/hookflow/hookflow/workflows"
)

var recordHistory = flag.String("record-history", "", "write the history of a completed two-step run to this JSON file (for workflows/testdata)")

// TestE2EHistoryReplays replays the history of a real failed run (step,
// on_failure, search attributes) against the current workflow code. With
// -record-history it also writes it for workflows/replay_test.go.
func TestE2EHistoryReplays(t *testing.T) {
	f := getFixture(t)
	id := uniqueID(t)
	resp, ans := f.post(t, id, map[string]any{"kind": "bad", "data": map[string]any{"n": 3}})
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("status %d %v", resp.StatusCode, ans)
	}
	wfID := "orders/" + id
	_ = f.client.GetWorkflow(context.Background(), wfID, "").Get(context.Background(), nil)
	var events historypb.History
	it := f.client.GetWorkflowHistory(context.Background(), wfID, "", false, 0)
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		events.Events = append(events.Events, e)
	}
	data, err := protojson.MarshalOptions{Indent: "  "}.Marshal(&events)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "history.json")
	if *recordHistory != "" {
		file = *recordHistory
	}
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	replayer := worker.NewWorkflowReplayer()
	replayer.RegisterWorkflowWithOptions(workflows.HandleEvent, workflow.RegisterOptions{Name: workflows.WorkflowName})
	if err := replayer.ReplayWorkflowHistoryFromJSONFile(nil, file); err != nil {
		t.Fatalf("replay: %v", err)
	}
}
