package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
)

// waitRunStatus waits until the latest run of wfID has the given status.
func waitRunStatus(t *testing.T, f *fixture, wfID string, want enumspb.WorkflowExecutionStatus) {
	t.Helper()
	waitFor(t, 30*time.Second, fmt.Sprintf("%s to be %s", wfID, want), func() bool {
		d, err := f.client.DescribeWorkflowExecution(context.Background(), wfID, "")
		return err == nil && d.GetWorkflowExecutionInfo().GetStatus() == want
	})
}

func (f *fixture) hookflow(t *testing.T, args ...string) string {
	t.Helper()
	out, err := f.tryHookflow(args...)
	if err != nil {
		t.Fatalf("hookflow %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// tryHookflow runs a hookflow command against the fixture and returns what
// it printed (stdout, then stderr) and its error.
func (f *fixture) tryHookflow(args ...string) (string, error) {
	var out, errOut bytes.Buffer
	common := []string{"--temporal", f.temporal.Addr()}
	if args[0] == "runs" || args[0] == "replay" {
		common = append(common, "--ui-url", "")
	}
	args = append(args[:1:1], append(common, args[1:]...)...)
	err := run(context.Background(), args, mapEnv(nil), &out, &errOut)
	return out.String() + errOut.String(), err
}

func TestE2EReplayReusesWhatSucceeded(t *testing.T) {
	f := getFixture(t)
	id := uniqueID(t)
	group := "g-" + id
	if resp, ans := f.post(t, id, map[string]any{"kind": "fixable", "data": map[string]any{"n": 1, "group": group}}); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("%d %v", resp.StatusCode, ans)
	}
	wfID := "orders/" + id
	waitRunStatus(t, f, wfID, enumspb.WORKFLOW_EXECUTION_STATUS_FAILED)

	plan := f.hookflow(t, "replay", wfID, "--dry-run") // flags after the argument, as in the README
	if !strings.Contains(plan, "step first: reuse output") || !strings.Contains(plan, "step second: run again") {
		t.Fatalf("dry run:\n%s", plan)
	}
	f.receiver.fix(group)
	out := f.hookflow(t, "replay", wfID)
	if !strings.Contains(out, "replaying failed run") {
		t.Fatalf("replay said:\n%s", out)
	}
	waitRunStatus(t, f, wfID, enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED)

	var first, second []recorded
	for _, r := range f.receiver.byKey(wfID + "/") {
		switch {
		case r.Path == "/ok":
			first = append(first, r)
		case strings.HasPrefix(r.Path, "/fixable/"):
			second = append(second, r)
		}
	}
	if len(first) != 1 {
		t.Fatalf("first step called %d times, want 1 (its output is reused)", len(first))
	}
	if len(second) != 2 || second[0].Header.Get("Idempotency-Key") != second[1].Header.Get("Idempotency-Key") {
		t.Fatalf("second step: %d calls, keys %q; want 2 calls with one key", len(second), keys(second))
	}
	if !strings.Contains(string(second[1].Body), "rcv-") {
		t.Fatalf("replayed step did not see the reused output: %s", second[1].Body)
	}
	// Replaying again is a no-op: the latest run is completed.
	if out := f.hookflow(t, "replay", wfID); !strings.Contains(out, "skipped") {
		t.Fatalf("second replay:\n%s", out)
	}
	// The failed run is listed with how its replay went.
	waitFor(t, 10*time.Second, "runs to show the replay's outcome", func() bool {
		out := f.hookflow(t, "runs", "--status", "failed", "--query", fmt.Sprintf("WorkflowId = %q", wfID))
		return strings.Contains(out, "failed → replayed: completed")
	})
}

func TestE2EBulkReplay(t *testing.T) {
	f := getFixture(t)
	group := "bulk-" + uniqueID(t)
	kind := "fixable-" + group
	var ids []string
	for i := range 20 {
		id := fmt.Sprintf("%s-%d", uniqueID(t), i)
		if resp, ans := f.post(t, id, map[string]any{"kind": kind, "data": map[string]any{"n": i, "group": group}}); resp.StatusCode != http.StatusAccepted {
			t.Fatalf("%d %v", resp.StatusCode, ans)
		}
		ids = append(ids, "orders/"+id)
	}
	for _, id := range ids {
		waitRunStatus(t, f, id, enumspb.WORKFLOW_EXECUTION_STATUS_FAILED)
	}
	f.receiver.fix(group)
	query := fmt.Sprintf("HookEventType = %q", kind)
	// Visibility may lag the runs' close by a moment.
	waitFor(t, 10*time.Second, "visibility to list 20 failed runs", func() bool {
		out := f.hookflow(t, "runs", "--status", "failed", "--query", query, "--limit", "100")
		return strings.Contains(out, "20 run(s)")
	})
	out := f.hookflow(t, "replay", "--query", query)
	if !strings.Contains(out, "20 replayed, 0 skipped, 0 could not be replayed") || !strings.Contains(out, "[20/20]") {
		t.Fatalf("bulk replay said:\n%s", out)
	}
	for _, id := range ids {
		waitRunStatus(t, f, id, enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED)
	}
}

func TestE2EWaitForResumedBySignal(t *testing.T) {
	f := getFixture(t)
	id := uniqueID(t)
	if resp, ans := f.post(t, id, map[string]any{"kind": "approval"}); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("%d %v", resp.StatusCode, ans)
	}
	wfID := "orders/" + id
	signal := func(token, body string) int {
		req, _ := http.NewRequest("POST", f.hooksURL+"/runs/"+url.PathEscape(wfID)+"/signals/approved", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := signal("wrong-token", `{"ok":true}`); code != http.StatusUnauthorized {
		t.Fatalf("wrong token answered %d", code)
	}
	if code := signal(testAdminToken, `{"ok":false,"by":"eve"}`); code != http.StatusAccepted {
		t.Fatalf("signal answered %d", code)
	}
	if code := signal(testAdminToken, `{"ok":true,"by":"ann"}`); code != http.StatusAccepted {
		t.Fatalf("signal answered %d", code)
	}
	waitRunStatus(t, f, wfID, enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED)
	got := f.receiver.byKey(wfID + "/")
	if len(got) != 1 || !strings.Contains(string(got[0].Body), `"by":"ann"`) {
		t.Fatalf("calls %d, body %s; want one call carrying ann's approval", len(got), bodyOf(got))
	}
}

func TestE2EMetricsCountTraffic(t *testing.T) {
	f := getFixture(t)
	scrape := func(url, series string) float64 {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		var total float64
		for _, line := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(line, series) {
				var v float64
				fmt.Sscan(line[strings.LastIndex(line, " ")+1:], &v)
				total += v
			}
		}
		return total
	}
	calls := `hookflow_step_calls_total{integration="recv",operation="send",outcome="success"}`
	before := scrape(f.workerMetrics, calls)
	finished := scrape(f.workerMetrics, "hookflow_runs_finished_total")
	id := uniqueID(t)
	if resp, ans := f.post(t, id, map[string]any{"kind": "ok", "data": map[string]any{"email": "m@example.com", "n": 1}}); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("%d %v", resp.StatusCode, ans)
	}
	waitRunStatus(t, f, "orders/"+id, enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED)
	waitFor(t, 10*time.Second, "metrics to count the run", func() bool {
		return scrape(f.workerMetrics, calls) == before+1 && scrape(f.workerMetrics, "hookflow_runs_finished_total") >= finished+1
	})
}

func keys(rs []recorded) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Header.Get("Idempotency-Key"))
	}
	return out
}

func bodyOf(rs []recorded) string {
	var out []string
	for _, r := range rs {
		out = append(out, string(r.Body))
	}
	return strings.Join(out, " | ")
}

func TestE2EFindRunByProjectSearchAttribute(t *testing.T) {
	f := getFixture(t)
	id := uniqueID(t)
	email := strings.ToLower(id) + "@example.com"
	if resp, ans := f.post(t, id, map[string]any{"kind": "ok", "data": map[string]any{"email": email, "n": 1234}}); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("%d %v", resp.StatusCode, ans)
	}
	waitRunStatus(t, f, "orders/"+id, enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED)
	var out string
	waitFor(t, 10*time.Second, "the run to be found by OrderEmail and OrderN", func() bool {
		out = f.hookflow(t, "runs", "--query", fmt.Sprintf("OrderEmail = %q AND OrderN = 1234", email))
		return strings.Contains(out, "orders/"+id) && strings.Contains(out, "1 run(s)")
	})
}

func TestE2ECancelWaitingRun(t *testing.T) {
	f := getFixture(t)
	id := uniqueID(t)
	if resp, ans := f.post(t, id, map[string]any{"kind": "approval"}); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("%d %v", resp.StatusCode, ans)
	}
	wfID := "orders/" + id
	waitRunStatus(t, f, wfID, enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING)
	if out := f.hookflow(t, "cancel", wfID); !strings.Contains(out, "cancellation requested") {
		t.Fatalf("cancel said %s", out)
	}
	waitRunStatus(t, f, wfID, enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED)
	got := f.receiver.byKey(wfID + "/")
	if len(got) != 1 || got[0].Path != "/cancelled" {
		t.Fatalf("calls %v; want only on_cancel's /cancelled (the wait's timer is not a timeout)", paths(got))
	}
	waitFor(t, 10*time.Second, "the run to be listed as canceled", func() bool {
		return strings.Contains(f.hookflow(t, "runs", "--status", "canceled", "--query", fmt.Sprintf("WorkflowId = %q", wfID)), "1 run(s)")
	})
	if err := f.hookflowErr(t, "cancel", wfID); err == nil || !strings.Contains(err.Error(), "already closed (canceled)") {
		t.Fatalf("a second cancel said %v; want already closed", err)
	}
	if err := f.hookflowErr(t, "replay", wfID); err == nil || !strings.Contains(err.Error(), "was canceled by an operator") {
		t.Fatalf("replay of a canceled run said %v; want a refusal that says why", err)
	}
}

func paths(rs []recorded) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Path)
	}
	return out
}

// hookflowErr runs a command that may fail and returns its error.
func (f *fixture) hookflowErr(t *testing.T, args ...string) error {
	t.Helper()
	args = append(args[:1], append([]string{"--temporal", f.temporal.Addr()}, args[1:]...)...)
	return run(context.Background(), args, mapEnv(nil), io.Discard, io.Discard)
}

func TestE2ERateLimitedIntegrationRunsOnItsQueue(t *testing.T) {
	f := getFixture(t)
	id := uniqueID(t)
	if resp, ans := f.post(t, id, map[string]any{"kind": "limited", "data": map[string]any{"n": 1}}); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("%d %v", resp.StatusCode, ans)
	}
	wfID := "orders/" + id
	waitRunStatus(t, f, wfID, enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED)
	it := f.client.GetWorkflowHistory(context.Background(), wfID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var queues []string
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		if a := ev.GetActivityTaskScheduledEventAttributes(); a != nil {
			queues = append(queues, a.GetTaskQueue().GetName())
		}
	}
	if len(queues) != 1 || queues[0] != "hookflow-limited" {
		t.Fatalf("CallStep scheduled on %v, want the integration's own queue hookflow-limited", queues)
	}
	if n := len(f.receiver.byKey(wfID + "/")); n != 1 {
		t.Fatalf("%d calls, want 1", n)
	}
}
