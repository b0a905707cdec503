package main

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
)

// TestE2EHotReloadKeepsRunsInFlight: an edited rule applies to new events at
// once, a broken edit is refused while the running rules stay, and a run
// that was waiting when the rule changed finishes with the plan it started
// with.
func TestE2EHotReloadKeepsRunsInFlight(t *testing.T) {
	f := getFixture(t)
	file := filepath.Join(f.dir, "rules", "approval.yaml")
	original, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.WriteFile(file, original, 0o644) })

	waiting := uniqueID(t) + "-old"
	if resp, ans := f.post(t, waiting, map[string]any{"kind": "approval"}); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("%d %v", resp.StatusCode, ans)
	}
	waitRunStatus(t, f, "orders/"+waiting, enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING)
	versionOf := func(wfID string) string {
		var v string
		waitFor(t, 10*time.Second, "HookRulesVersion of "+wfID, func() bool {
			d, err := f.client.DescribeWorkflowExecution(context.Background(), wfID, "")
			if err != nil {
				return false
			}
			p := d.GetWorkflowExecutionInfo().GetSearchAttributes().GetIndexedFields()["HookRulesVersion"]
			v = strings.Trim(string(p.GetData()), `"`)
			return v != ""
		})
		return v
	}
	before := versionOf("orders/" + waiting)

	// A broken edit is refused: new events still run the old rules.
	if err := os.WriteFile(file, []byte("name: approval\non: [orders]\nwhen: event.type ==\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	refusals := func(log *syncBuffer) int { return strings.Count(log.String(), "project edit rejected") }
	serveBefore, workerBefore := refusals(f.serveLog), refusals(f.workerLog)
	waitFor(t, 15*time.Second, "serve and worker to refuse the broken edit", func() bool {
		return refusals(f.serveLog) > serveBefore && refusals(f.workerLog) > workerBefore
	})
	probe := uniqueID(t) + "-probe"
	if resp, ans := f.post(t, probe, map[string]any{"kind": "pair", "data": map[string]any{"n": 1}}); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("%d %v", resp.StatusCode, ans)
	}
	if v := versionOf("orders/" + probe); v != before {
		t.Fatalf("a broken edit changed the rules version %s → %s", before, v)
	}

	// A valid edit applies to new runs.
	edited := strings.Replace(string(original), `by: "${{ steps.approved.output?.by }}"`, `by: "${{ steps.approved.output?.by }}", edited: true`, 1)
	if edited == string(original) {
		t.Fatal("the approval rule changed shape; update this test")
	}
	if err := os.WriteFile(file, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	var fresh string
	waitFor(t, 15*time.Second, "the edit to apply to new runs", func() bool {
		fresh = uniqueID(t) + "-new"
		if resp, _ := f.post(t, fresh, map[string]any{"kind": "pair", "data": map[string]any{"n": 1}}); resp.StatusCode != http.StatusAccepted {
			return false
		}
		return versionOf("orders/"+fresh) != before
	})

	// The run that waited through both edits finishes with its own plan.
	req, _ := http.NewRequest("POST", f.hooksURL+"/runs/"+url.PathEscape("orders/"+waiting)+"/signals/approved", strings.NewReader(`{"ok":true,"by":"ann"}`))
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	waitRunStatus(t, f, "orders/"+waiting, enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED)
	got := f.receiver.byKey("orders/" + waiting + "/")
	if len(got) != 1 || strings.Contains(string(got[0].Body), "edited") || !strings.Contains(string(got[0].Body), `"by":"ann"`) {
		t.Fatalf("the waiting run sent %s; want its original template", bodyOf(got))
	}
}
