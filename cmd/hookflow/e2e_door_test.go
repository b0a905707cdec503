package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookflow/hookflow/triggers/verify"
)

// End-to-end tests of the hardened front door, against the shared fixture
// (embedded Temporal, `hookflow serve`, `hookflow worker`, the receiver).
// Every rejection must start no workflow (asked of Temporal) and call
// nothing (asked of the receiver).

// doorPost signs body with cfg for trigger and posts it with contentType.
func (f *fixture) doorPost(t *testing.T, trigger string, cfg verify.Config, id, contentType string, body []byte) (*http.Response, map[string]any) {
	t.Helper()
	u := f.hooksURL + "/hooks/" + trigger
	req, err := http.NewRequest("POST", u, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	h, err := verify.Sign(cfg, verify.Request{Method: "POST", URL: u, Body: body}, id, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range h {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("answer is not JSON: %d %s", resp.StatusCode, data)
	}
	return resp, out
}

// bodyWorkflowID is the workflow id of an event whose id is its body's hash.
func bodyWorkflowID(trigger string, body []byte) string {
	sum := sha256.Sum256(body)
	return trigger + "/sha256-" + hex.EncodeToString(sum[:])
}

// assertNoCalls checks that the receiver never heard of the workflow.
func assertNoCalls(t *testing.T, f *fixture, wfID string) {
	t.Helper()
	if got := f.receiver.byKey(wfID + "/"); len(got) != 0 {
		t.Fatalf("receiver got %d call(s) for %s, a rejected or replayed request must call nothing", len(got), wfID)
	}
}

var (
	doorBearer = verify.Config{Scheme: "bearer", Secret: verify.Secrets{"door-token"}}
	doorGitHub = verify.Config{Scheme: "github", Secret: verify.Secrets{"door-gh-secret"}}
	doorSlack  = verify.Config{Scheme: "slack", Secret: verify.Secrets{"door-slack-secret"}}
)

func TestE2EDoorRateLimitStartsNothing(t *testing.T) {
	f := getFixture(t)
	// rate_limit 1/h, burst 1: at most the first request of this process
	// passes, so a 429 comes within two requests however often this runs.
	var limited [][]byte
	for i := range 2 {
		body := fmt.Appendf(nil, `{"n":%d,"test":%q}`, i, uniqueID(t))
		resp, ans := f.doorPost(t, "door-limited", doorBearer, "", "application/json", body)
		switch resp.StatusCode {
		case http.StatusAccepted:
		case http.StatusTooManyRequests:
			secs, err := strconv.Atoi(resp.Header.Get("Retry-After"))
			if err != nil || secs < 1 || secs > 3600 || !strings.Contains(fmt.Sprint(ans["error"]), "rate_limit of 1/h") {
				t.Fatalf("429 with Retry-After %q and %v", resp.Header.Get("Retry-After"), ans)
			}
			limited = append(limited, body)
		default:
			t.Fatalf("status %d %v", resp.StatusCode, ans)
		}
	}
	if len(limited) == 0 {
		t.Fatal("no 429 within two requests to a 1/h trigger")
	}
	for _, body := range limited {
		wfID := bodyWorkflowID("door-limited", body)
		assertNoRun(t, f, wfID)
		assertNoCalls(t, f, wfID)
	}
}

func TestE2EDoorAllowIPsStartsNothing(t *testing.T) {
	f := getFixture(t)
	body := fmt.Appendf(nil, `{"test":%q}`, uniqueID(t))
	resp, ans := f.doorPost(t, "door-office", doorBearer, "", "application/json", body)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(fmt.Sprint(ans["error"]), "address 127.0.0.1 is not in trigger door-office's allow_ips") {
		t.Fatalf("got %d %v, want 403 naming the address", resp.StatusCode, ans)
	}
	wfID := bodyWorkflowID("door-office", body)
	assertNoRun(t, f, wfID)
	assertNoCalls(t, f, wfID)
}

func TestE2EDoorBodyReplayStartsNothing(t *testing.T) {
	f := getFixture(t)
	body := fmt.Appendf(nil, `{"action":"opened","test":%q}`, uniqueID(t))
	first, second := uniqueID(t)+"-a", uniqueID(t)+"-b"

	resp, ans := f.doorPost(t, "door-github", doorGitHub, first, "application/json", body)
	if resp.StatusCode != http.StatusAccepted || ans["duplicate"] != false {
		t.Fatalf("first delivery: %d %v", resp.StatusCode, ans)
	}
	wfID, runID := "door-github/"+first, ans["run_id"]
	if ans["workflow_id"] != wfID {
		t.Fatalf("workflow_id %v, want %s", ans["workflow_id"], wfID)
	}
	if err := f.client.GetWorkflow(context.Background(), wfID, "").Get(context.Background(), nil); err != nil {
		t.Fatalf("run: %v", err)
	}

	// The captured body again, under a new delivery id and a valid signature.
	resp, ans = f.doorPost(t, "door-github", doorGitHub, second, "application/json", body)
	if resp.StatusCode != http.StatusAccepted || ans["duplicate"] != true || ans["workflow_id"] != wfID || ans["run_id"] != runID {
		t.Fatalf("replay: %d %v, want 202 duplicate with the original %s %v", resp.StatusCode, ans, wfID, runID)
	}
	assertNoRun(t, f, "door-github/"+second)
	assertNoCalls(t, f, "door-github/"+second)
	if n := len(f.receiver.byKey(wfID + "/")); n != 1 {
		t.Fatalf("receiver got %d calls for %s, want 1", n, wfID)
	}
}

func TestE2EDoorConcurrentReplaysRunOnce(t *testing.T) {
	f := getFixture(t)
	body := fmt.Appendf(nil, `{"action":"closed","test":%q}`, uniqueID(t))
	ids := make([]string, 6)
	answers := make([]map[string]any, len(ids))
	var wg sync.WaitGroup
	for i := range ids {
		ids[i] = fmt.Sprintf("%s-%d", uniqueID(t), i)
		wg.Go(func() {
			resp, ans := f.doorPost(t, "door-github", doorGitHub, ids[i], "application/json", body)
			if resp.StatusCode != http.StatusAccepted {
				t.Errorf("status %d %v", resp.StatusCode, ans)
			}
			answers[i] = ans
		})
	}
	wg.Wait()
	runs := map[string]bool{}
	for _, a := range answers {
		runs[fmt.Sprint(a["workflow_id"], " ", a["run_id"])] = true
	}
	if len(runs) != 1 {
		t.Fatalf("%d distinct runs for one body: %v", len(runs), runs)
	}
	for i, id := range ids {
		if answers[i]["workflow_id"] != "door-github/"+id {
			assertNoRun(t, f, "door-github/"+id)
		}
	}
}

func TestE2EDoorContentTypeStartsNothing(t *testing.T) {
	f := getFixture(t)
	form := []byte("command=%2Fdeploy&user_name=ada&text=" + url.QueryEscape(uniqueID(t)))
	cases := []struct {
		name, trigger, ctype string
		cfg                  verify.Config
		body                 []byte
		says                 string
	}{
		{"JSON to a form trigger", "door-slack", "application/json", doorSlack, fmt.Appendf(nil, `{"command":"/deploy","test":%q}`, uniqueID(t)), "reads form-encoded bodies"},
		{"form to a JSON trigger", "door-github", "application/x-www-form-urlencoded", doorGitHub, form, "set `body: form`"},
		{"text/plain to a JSON trigger", "door-github", "text/plain", doorGitHub, fmt.Appendf(nil, `{"test":%q}`, uniqueID(t)), "send application/json"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			id := uniqueID(t)
			resp, ans := f.doorPost(t, tc.trigger, tc.cfg, id, tc.ctype, tc.body)
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(fmt.Sprint(ans["error"]), tc.says) {
				t.Fatalf("got %d %v, want 400 with %q", resp.StatusCode, ans, tc.says)
			}
			wfID := tc.trigger + "/" + id // github: the delivery id
			if tc.trigger == "door-slack" {
				wfID = bodyWorkflowID(tc.trigger, tc.body)
			}
			assertNoRun(t, f, wfID)
			assertNoCalls(t, f, wfID)
		})
	}
}

// sendCmd runs `hookflow send` against the fixture's server and returns the
// status line and the answer.
func sendCmd(t *testing.T, f *fixture, project, trigger, file string, args ...string) (string, map[string]any) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	argv := append([]string{"send", "--project", project, "--url", f.hooksURL}, args...)
	argv = append(argv, trigger, file)
	getenv := mapEnv(map[string]string{"ORDERS_SECRET": f.secret, "RECEIVER_URL": f.receiver.URL})
	err := run(context.Background(), argv, getenv, &stdout, &stderr)
	out := stdout.String()
	status, rest, _ := strings.Cut(out, "\n")
	var ans map[string]any
	if i, j := strings.Index(rest, "{"), strings.LastIndex(rest, "}"); i >= 0 && j > i {
		_ = json.Unmarshal([]byte(rest[i:j+1]), &ans)
	}
	if err != nil && !strings.Contains(status, " 4") && !strings.Contains(status, " 5") {
		t.Fatalf("send %s: %v\nstdout %s\nstderr %s", trigger, err, out, stderr.String())
	}
	return status, ans
}

func sendProject(t *testing.T, f *fixture) string {
	t.Helper()
	dir := t.TempDir()
	if err := writeProject(dir, testProject, testRules); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestE2ESendSignsEveryScheme(t *testing.T) {
	f := getFixture(t)
	project := sendProject(t, f)
	cases := []struct {
		trigger, file, content string
		wantID                 func(id string, body []byte) string // the event id the server derives
	}{
		{"orders", "e.json", `{"kind":"send-test","data":{"n":1},"test":%q}`, func(id string, _ []byte) string { return id }},
		{"door-github", "e.json", `{"action":"send-test","test":%q}`, func(id string, _ []byte) string { return id }},
		{"send-stripe", "e.json", `{"id":"evt_%s","type":"charge.succeeded"}`, nil},
		{"send-shopify", "e.json", `{"id":1,"test":%q}`, func(id string, _ []byte) string { return id }},
		{"door-slack", "e.form", "command=%%2Fsend-test&user_name=ada&text=%s\n", nil},
		{"door-slack", "e.txt", "command=%%2Fsend-test&user_name=bob&text=%s\n", nil},
		{"send-hubspot", "e.json", `[{"eventId":1,"subscriptionType":"contact.creation","test":%q}]`, nil},
		{"send-woocommerce", "e.json", `{"id":7,"test":%q}`, func(id string, _ []byte) string { return id }},
		{"send-hmac", "e.json", `{"test":%q}`, nil},
		{"send-bearer", "e.json", `{"test":%q}`, nil},
		{"send-basic", "e.json", `{"test":%q}`, nil},
		{"send-none", "e.json", `{"test":%q}`, nil},
	}
	for _, tc := range cases {
		t.Run(tc.trigger+"/"+tc.file, func(t *testing.T) {
			unique := uniqueID(t)
			content := fmt.Sprintf(tc.content, unique)
			file := filepath.Join(t.TempDir(), tc.file)
			if err := os.WriteFile(file, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			id := uniqueID(t) + "-d"
			status, ans := sendCmd(t, f, project, tc.trigger, file, "--id", id)
			if !strings.Contains(status, "202") {
				t.Fatalf("send answered %s %v", status, ans)
			}
			want := tc.trigger + "/"
			switch {
			case tc.wantID != nil:
				want += tc.wantID(id, nil)
			case tc.trigger == "send-stripe":
				want += "evt_" + unique
			default: // the body's hash; a form file is sent without its trailing newline
				want = bodyWorkflowID(tc.trigger, []byte(strings.TrimRight(content, "\n")))
			}
			if ans["no_match"] == true {
				// No rule wants it: the event id the server derived is in the trigger's ledger.
				eventID := strings.TrimPrefix(want, tc.trigger+"/")
				if out := f.hookflow(t, "runs", "--event-id", eventID, "--trigger", tc.trigger); !strings.Contains(out, eventID+": no rule matched") {
					t.Fatalf("answer %v; runs --event-id %s said:\n%s", ans, eventID, out)
				}
				return
			}
			if ans["workflow_id"] != want || ans["duplicate"] != false {
				t.Fatalf("answer %v, want a new run %s", ans, want)
			}
			if _, err := f.client.DescribeWorkflowExecution(context.Background(), want, ""); err != nil {
				t.Fatalf("describe %s: %v", want, err)
			}
		})
	}
}

func TestE2EDoorSlackFormReachesRules(t *testing.T) {
	f := getFixture(t)
	project := sendProject(t, f)
	text := "deploy api " + uniqueID(t)
	file := filepath.Join(t.TempDir(), "command.form")
	body := "token=x&command=%2Fdeploy&user_name=roadrunner&text=" + url.QueryEscape(text)
	if err := os.WriteFile(file, []byte(body+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	status, ans := sendCmd(t, f, project, "door-slack", file)
	wfID := bodyWorkflowID("door-slack", []byte(body))
	if !strings.Contains(status, "202") || ans["workflow_id"] != wfID {
		t.Fatalf("send answered %s %v, want 202 for %s", status, ans, wfID)
	}
	if err := f.client.GetWorkflow(context.Background(), wfID, "").Get(context.Background(), nil); err != nil {
		t.Fatalf("run: %v", err)
	}
	got := f.receiver.byKey(wfID + "/")
	if len(got) != 1 {
		t.Fatalf("receiver got %d calls, want 1", len(got))
	}
	var sent map[string]any
	if err := json.Unmarshal(got[0].Body, &sent); err != nil || sent["text"] != text || sent["user"] != "roadrunner" {
		t.Fatalf("the rule saw %s (%v); want the form fields text and user_name", got[0].Body, err)
	}
	assertSearchAttrs(t, f, wfID, map[string]string{"HookEventType": "/deploy"})
}
