package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
)

// TestOperatorCommandsReadEncryptedRuns: with the project's keys in
// HOOKFLOW_CODEC_KEYS, replay reads a failed encrypted run and re-runs it,
// and runs lists it; without the keys replay says which variable to set.
func TestOperatorCommandsReadEncryptedRuns(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := t.TempDir()
	if err := writeProject(dir, codecProject, map[string]string{"signup.yaml": signupRule}); err != nil {
		t.Fatal(err)
	}
	rcv := newReceiver()
	defer rcv.Close()
	addr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	base, tport := "http://"+addr, freePort(t)
	temporal := "127.0.0.1:" + strconv.Itoa(tport)
	keys := "k1:" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{9}, 32))
	// The receiver's /bad answers 400: the step fails at once and so does the run.
	getenv := mapEnv(map[string]string{"CODEC_KEYS": keys, "CODEC_TOKEN": "codec-token-0123456789", "CRM_URL": rcv.URL + "/bad"})
	var out, errOut syncBuffer
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = run(ctx, []string{"dev", "--project", dir, "--listen", addr, "--temporal-port", strconv.Itoa(tport), "--ui-port", "-1", "--ephemeral", "--log-level", "error"}, getenv, &out, &errOut)
	}()
	defer func() { cancel(); <-done }()
	if err := waitReady(base+"/readyz", 90*time.Second); err != nil {
		t.Fatalf("%v\n%s%s", err, out.String(), errOut.String())
	}
	req, _ := http.NewRequest("POST", base+"/hooks/forms", strings.NewReader(`{"email":"encrypted@example.com"}`))
	req.Header.Set("Authorization", "Bearer form-token")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var ans struct {
		WorkflowID string `json:"workflow_id"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&ans)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("status %d", resp.StatusCode)
	}
	raw, err := client.Dial(client.Options{HostPort: temporal, Logger: quietLogger{}})
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	waitFor(t, 30*time.Second, "the run to fail", func() bool {
		d, err := raw.DescribeWorkflowExecution(ctx, ans.WorkflowID, "")
		return err == nil && d.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_FAILED
	})

	var rOut, rErr syncBuffer
	withKeys := mapEnv(map[string]string{codecKeysEnv: keys})
	if err := run(ctx, []string{"replay", "--temporal", temporal, "--dry-run", ans.WorkflowID}, withKeys, &rOut, &rErr); err != nil {
		t.Fatalf("replay --dry-run of an encrypted run: %v\n%s", err, rOut.String())
	}
	if !strings.Contains(rOut.String(), "rule signup step contact: run again") {
		t.Fatalf("the dry run does not show the plan:\n%s", rOut.String())
	}
	before := len(rcv.byPath("/bad"))
	rOut = syncBuffer{}
	if err := run(ctx, []string{"replay", "--temporal", temporal, ans.WorkflowID}, withKeys, &rOut, &rErr); err != nil {
		t.Fatalf("replay of an encrypted run: %v\n%s", err, rOut.String())
	}
	if !strings.Contains(rOut.String(), "replaying failed run") {
		t.Fatalf("replay did not start a run:\n%s", rOut.String())
	}
	waitFor(t, 30*time.Second, "the replayed run to call again", func() bool { return len(rcv.byPath("/bad")) > before })
	got := rcv.byPath("/bad")
	if last := got[len(got)-1]; !bytes.Contains(last.Body, []byte("encrypted@example.com")) {
		t.Fatalf("the replayed call lost the decrypted input: %s", last.Body)
	}

	// Visibility lists a run a moment after it starts or closes.
	waitFor(t, 10*time.Second, "runs to list the encrypted run", func() bool {
		rOut = syncBuffer{}
		if err := run(ctx, []string{"runs", "--temporal", temporal, "--ui-url", ""}, withKeys, &rOut, &rErr); err != nil {
			t.Fatalf("runs: %v", err)
		}
		return strings.Contains(rOut.String(), ans.WorkflowID)
	})
	waitFor(t, 30*time.Second, "the replayed run to fail", func() bool {
		d, err := raw.DescribeWorkflowExecution(ctx, ans.WorkflowID, "")
		return err == nil && d.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_FAILED
	})
	// Without the keys: a message that says what to set.
	rOut = syncBuffer{}
	err = run(ctx, []string{"replay", "--temporal", temporal, ans.WorkflowID}, mapEnv(map[string]string{}), &rOut, &rErr)
	if err == nil || !strings.Contains(err.Error(), codecKeysEnv) {
		t.Fatalf("replay of an encrypted run without keys: %v, want an error naming %s\n%s", err, codecKeysEnv, rOut.String())
	}
}
