package main

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
)

const limitsProject = `
rules: ./rules
outbound: { allow_networks: [127.0.0.0/8] }
triggers:
  jobs:
    verify: { scheme: bearer, secret: jobs-token }
    event_id: payload.id
integrations:
  crm:
    kind: webhook
    url: ${CRM_URL}
`

const limitsRule = `
name: call
on: [jobs]
steps:
  - id: call
    call: crm.send
    with: { body: { id: "${{ event.id }}" } }
`

// TestHotReloadAppliesRateLimit (issue 9 item 9): a rate_limit added by a
// hot reload moves the integration's steps to its own task queue, and a
// worker polls that queue without a restart; today the steps wait there
// for ever.
func TestHotReloadAppliesRateLimit(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := t.TempDir()
	if err := writeProject(dir, limitsProject, map[string]string{"call.yaml": limitsRule}); err != nil {
		t.Fatal(err)
	}
	rcv := newReceiver()
	defer rcv.Close()
	addr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	base, tport := "http://"+addr, freePort(t)
	var out, errOut syncBuffer
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = run(ctx, []string{"dev", "--project", dir, "--listen", addr, "--temporal-port", strconv.Itoa(tport), "--ui-port", "-1", "--ephemeral", "--log-level", "info"},
			mapEnv(map[string]string{"CRM_URL": rcv.URL + "/crm"}), &out, &errOut)
	}()
	defer func() { cancel(); <-done }()
	if err := waitReady(base+"/readyz", 90*time.Second); err != nil {
		t.Fatalf("%v\n%s%s", err, out.String(), errOut.String())
	}
	post := func(id string) {
		t.Helper()
		req, _ := http.NewRequest("POST", base+"/hooks/jobs", strings.NewReader(`{"id":"`+id+`"}`))
		req.Header.Set("Authorization", "Bearer jobs-token")
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("post %s: %d", id, resp.StatusCode)
		}
	}
	post("before")
	waitFor(t, 30*time.Second, "the call before the edit", func() bool { return len(rcv.byKey("jobs/before/")) == 1 })

	file := filepath.Join(dir, "hookflow.yaml")
	edited := strings.Replace(limitsProject, "    url: ${CRM_URL}\n", "    url: ${CRM_URL}\n    rate_limit: 20/s\n", 1)
	if err := os.WriteFile(file, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 15*time.Second, "the reload", func() bool { return strings.Contains(errOut.String(), "project reloaded") })
	post("after")
	waitFor(t, 30*time.Second, "the call after rate_limit was added", func() bool { return len(rcv.byKey("jobs/after/")) == 1 })

	c, err := client.Dial(client.Options{HostPort: "127.0.0.1:" + strconv.Itoa(tport), Logger: quietLogger{}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	it := c.GetWorkflowHistory(ctx, "jobs/after", "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		if a := ev.GetActivityTaskScheduledEventAttributes(); a != nil && a.GetTaskQueue().GetName() != "hookflow-crm" {
			t.Fatalf("after the edit the step ran on %q, want the rate-limited queue hookflow-crm", a.GetTaskQueue().GetName())
		}
	}
}
