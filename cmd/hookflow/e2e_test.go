package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/converter"

	"github.com/hookflow/hookflow/workflows"
)

func uniqueID(t *testing.T) string {
	return fmt.Sprintf("msg_%s_%d", strings.ReplaceAll(t.Name(), "/", "_"), time.Now().UnixNano())
}

func TestE2ESignedEventIsDelivered(t *testing.T) {
	f := getFixture(t)
	id := uniqueID(t)
	resp, ans := f.post(t, id, map[string]any{"kind": "ok", "data": map[string]any{"email": "jon@example.com", "n": 42}})
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("status %d %v, want 202", resp.StatusCode, ans)
	}
	wfID := "orders/" + id
	if ans["workflow_id"] != wfID || ans["run_id"] == "" || ans["duplicate"] != false {
		t.Fatalf("answer %v", ans)
	}
	var res workflows.Result
	if err := f.client.GetWorkflow(context.Background(), wfID, "").Get(context.Background(), &res); err != nil {
		t.Fatalf("run: %v", err)
	}
	if res.Status != workflows.StatusCompleted {
		t.Fatalf("run status %q", res.Status)
	}
	got := f.receiver.byKey(wfID + "/")
	if len(got) != 1 {
		t.Fatalf("receiver got %d requests, want 1", len(got))
	}
	r := got[0]
	if key := r.Header.Get("Idempotency-Key"); key != wfID+"/deliver/send" {
		t.Errorf("Idempotency-Key %q, want %q", key, wfID+"/deliver/send")
	}
	if r.Path != "/ok" || r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("path %q content type %q", r.Path, r.Header.Get("Content-Type"))
	}
	var body map[string]any
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"email": "jon@example.com", "n": float64(42), "note": "order 42 for jon@example.com"}
	for k, v := range want {
		if body[k] != v {
			t.Errorf("body[%s] = %#v, want %#v (body %s)", k, body[k], v, r.Body)
		}
	}
	assertSearchAttrs(t, f, wfID, map[string]string{"HookStatus": "completed", "HookTrigger": "orders", "HookEventType": "ok", "HookEventId": id})
}

func TestE2EDuplicatePostedConcurrentlyRunsOnce(t *testing.T) {
	f := getFixture(t)
	id := uniqueID(t)
	payload := map[string]any{"kind": "ok", "data": map[string]any{"email": "dup@example.com", "n": 7}}
	var wg sync.WaitGroup
	var mu sync.Mutex
	fresh, runs := 0, map[string]bool{}
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, ans := f.post(t, id, payload)
			mu.Lock()
			defer mu.Unlock()
			if resp.StatusCode != http.StatusAccepted {
				t.Errorf("status %d %v", resp.StatusCode, ans)
				return
			}
			if ans["duplicate"] == false {
				fresh++
			}
			runs[ans["run_id"].(string)] = true
		}()
	}
	wg.Wait()
	if fresh != 1 || len(runs) != 1 {
		t.Fatalf("%d answers said new, %d distinct runs; want 1 and 1", fresh, len(runs))
	}
	wfID := "orders/" + id
	if err := f.client.GetWorkflow(context.Background(), wfID, "").Get(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	// Posted again after the run closed: still the same run, still no second call.
	resp, ans := f.post(t, id, payload)
	if resp.StatusCode != http.StatusAccepted || ans["duplicate"] != true {
		t.Fatalf("late duplicate: %d %v", resp.StatusCode, ans)
	}
	if n := len(f.receiver.byKey(wfID + "/")); n != 1 {
		t.Fatalf("receiver got %d calls, want 1", n)
	}
}

func TestE2ERetriesUntilDelivered(t *testing.T) {
	f := getFixture(t)
	id := uniqueID(t)
	resp, ans := f.post(t, id, map[string]any{"kind": "flaky", "data": map[string]any{"n": 1}})
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("status %d %v", resp.StatusCode, ans)
	}
	wfID := "orders/" + id
	if err := f.client.GetWorkflow(context.Background(), wfID, "").Get(context.Background(), nil); err != nil {
		t.Fatalf("run: %v", err)
	}
	got := f.receiver.byKey(wfID + "/")
	if len(got) != 3 {
		t.Fatalf("receiver got %d attempts, want 3 (503, 503, 200)", len(got))
	}
	for i, r := range got {
		if k := r.Header.Get("Idempotency-Key"); k != wfID+"/flaky/send" {
			t.Errorf("attempt %d key %q", i+1, k)
		}
	}
}

func TestE2EPermanentFailureRunsOnFailure(t *testing.T) {
	f := getFixture(t)
	id := uniqueID(t)
	resp, ans := f.post(t, id, map[string]any{"kind": "bad", "data": map[string]any{"n": 2}})
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("status %d %v", resp.StatusCode, ans)
	}
	wfID := "orders/" + id
	err := f.client.GetWorkflow(context.Background(), wfID, "").Get(context.Background(), nil)
	if err == nil {
		t.Fatal("run completed; want failed")
	}
	var bad, alerts, never int
	for _, r := range f.receiver.byKey(wfID + "/") {
		switch r.Path {
		case "/bad":
			bad++
		case "/alerts":
			alerts++
			if !strings.Contains(string(r.Body), "bad failed at contact") || !strings.Contains(string(r.Body), "400") {
				t.Errorf("alert body %s", r.Body)
			}
		case "/ok":
			never++
		}
	}
	if bad != 1 || alerts != 1 || never != 0 {
		t.Fatalf("calls: /bad %d (want 1), /alerts %d (want 1), /ok %d (want 0)", bad, alerts, never)
	}
	assertSearchAttrs(t, f, wfID, map[string]string{"HookStatus": "failed"})
}

func TestE2ERejectionsStartNothing(t *testing.T) {
	f := getFixture(t)
	url := f.hooksURL + "/hooks/orders"
	cases := []struct {
		name   string
		url    string
		header http.Header
		body   string
		status int
		says   string
	}{
		{"bad signature", url, http.Header{"Webhook-Id": {"msg_badsig"}, "Webhook-Timestamp": {fmt.Sprint(time.Now().Unix())}, "Webhook-Signature": {"v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc="}}, `{"kind":"ok"}`, 401, "signature"},
		{"unsigned", url, http.Header{"Webhook-Id": {"msg_unsigned"}}, `{"kind":"ok"}`, 401, "webhook-"},
		{"unknown trigger", f.hooksURL + "/hooks/nope", nil, `{}`, 404, "unknown trigger"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, ans := f.postRaw(t, tc.url, tc.header, []byte(tc.body))
			if resp.StatusCode != tc.status || !strings.Contains(fmt.Sprint(ans["error"]), tc.says) {
				t.Fatalf("got %d %v, want %d with %q", resp.StatusCode, ans, tc.status, tc.says)
			}
			assertNoRun(t, f, "orders/"+tc.header.Get("Webhook-Id"))
		})
	}
	signedCases := []struct {
		name   string
		body   string
		status int
		says   string
	}{
		{"not JSON", `{"kind": "ok"`, 400, "not valid JSON"},
		{"schema", `{"data":{"email":"not-an-email"}}`, 422, "schema"},
		{"too large", `{"kind":"ok","pad":"` + strings.Repeat("x", 1<<20) + `"}`, 413, "limit"},
	}
	for _, tc := range signedCases {
		t.Run(tc.name, func(t *testing.T) {
			id := uniqueID(t)
			resp, ans := f.postBytes(t, id, []byte(tc.body))
			if resp.StatusCode != tc.status || !strings.Contains(fmt.Sprint(ans["error"]), tc.says) {
				t.Fatalf("got %d %v, want %d with %q", resp.StatusCode, ans, tc.status, tc.says)
			}
			if tc.status == 422 {
				fields, _ := ans["fields"].([]any)
				if len(fields) != 2 {
					t.Fatalf("fields %v, want kind (required) and data.email (email)", ans["fields"])
				}
			}
			assertNoRun(t, f, "orders/"+id)
		})
	}
}

func assertNoRun(t *testing.T, f *fixture, wfID string) {
	t.Helper()
	_, err := f.client.DescribeWorkflowExecution(context.Background(), wfID, "")
	var nf *serviceerror.NotFound
	if !errors.As(err, &nf) {
		t.Fatalf("describe %s: %v; want not found (a rejected request must start nothing)", wfID, err)
	}
}

func assertSearchAttrs(t *testing.T, f *fixture, wfID string, want map[string]string) {
	t.Helper()
	waitFor(t, 10*time.Second, "search attributes of "+wfID, func() bool {
		d, err := f.client.DescribeWorkflowExecution(context.Background(), wfID, "")
		if err != nil {
			return false
		}
		fields := d.GetWorkflowExecutionInfo().GetSearchAttributes().GetIndexedFields()
		for k, v := range want {
			var got string
			if p, ok := fields[k]; !ok || converter.GetDefaultDataConverter().FromPayload(p, &got) != nil || got != v {
				return false
			}
		}
		return true
	})
}
