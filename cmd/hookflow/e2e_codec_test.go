package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/hookflow/hookflow/internal/devdb"
)

const codecProject = `
rules: ./rules
outbound: { allow_networks: [127.0.0.0/8] }
encryption:
  keys: "${CODEC_KEYS}"
  token: "${CODEC_TOKEN}"
triggers:
  forms:
    verify: { scheme: bearer, secret: form-token }
integrations:
  crm: { kind: webhook, url: "${CRM_URL}" }
`

// signupRule is the one-step rule of the forms projects (codec, TLS):
// the form's email to crm.send.
const signupRule = `
name: signup
on: [forms]
steps:
  - id: contact
    call: crm.send
    with: { body: { email: "${{ payload.email }}" } }
`

// TestDevEncryptsHistory: with `encryption`, the event and what was sent are
// unreadable in the SQLite file and readable through the codec endpoint.
func TestDevEncryptsHistory(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := t.TempDir()
	if err := writeProject(dir, codecProject, map[string]string{"signup.yaml": signupRule}); err != nil {
		t.Fatal(err)
	}
	addr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	base, tport := "http://"+addr, freePort(t)
	key := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	getenv := mapEnv(map[string]string{"CODEC_KEYS": "k1:" + key, "CODEC_TOKEN": "codec-token-0123456789", "CRM_URL": base + "/inspect/crm"})
	db := filepath.Join(dir, "dev.db")
	var out, errOut syncBuffer
	go func() {
		_ = run(ctx, []string{"dev", "--project", dir, "--listen", addr, "--temporal-port", strconv.Itoa(tport), "--ui-port", "-1", "--db", db, "--log-level", "error"}, getenv, &out, &errOut)
	}()
	if err := waitReady(base+"/readyz", 90*time.Second); err != nil {
		t.Fatalf("%v\n%s%s", err, out.String(), errOut.String())
	}
	email := "secret-" + strconv.FormatInt(time.Now().UnixNano(), 36) + "@example.com"
	req, _ := http.NewRequest("POST", base+"/hooks/forms", strings.NewReader(`{"email":"`+email+`"}`))
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
	raw, err := client.Dial(client.Options{HostPort: "127.0.0.1:" + strconv.Itoa(tport), Logger: quietLogger{}})
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	waitFor(t, 30*time.Second, "the run to complete", func() bool {
		d, err := raw.DescribeWorkflowExecution(ctx, ans.WorkflowID, "")
		return err == nil && d.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED
	})
	if got := inspected(t, base); len(got) != 1 || !strings.Contains(got[0].Body, email) {
		t.Fatalf("the receiver did not get the decrypted call: %+v", got)
	}

	// On disk: the database, its run list and their write-ahead logs hold no plaintext.
	for _, f := range devdb.Files(db) {
		data, err := os.ReadFile(f)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte(email)) {
			t.Fatalf("%s holds the email in plaintext", filepath.Base(f))
		}
	}

	// Through the codec endpoint, with the token, the input reads again.
	it := raw.GetWorkflowHistory(ctx, ans.WorkflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	ev, err := it.Next()
	if err != nil {
		t.Fatal(err)
	}
	input := ev.GetWorkflowExecutionStartedEventAttributes().GetInput()
	if bytes.Contains(input.GetPayloads()[0].GetData(), []byte(email)) {
		t.Fatal("history input is not encrypted")
	}
	body, _ := protojson.Marshal(input)
	decode := func(token string) (int, []byte) {
		req, _ := http.NewRequest("POST", base+"/codec/decode", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, data
	}
	if code, _ := decode("wrong-token"); code != http.StatusForbidden {
		t.Fatalf("a wrong token got %d", code)
	}
	code, data := decode("codec-token-0123456789")
	var decoded commonpb.Payloads
	if code != http.StatusOK || protojson.Unmarshal(data, &decoded) != nil || !bytes.Contains(decoded.GetPayloads()[0].GetData(), []byte(email)) {
		t.Fatalf("decode answered %d %s", code, data)
	}
}
