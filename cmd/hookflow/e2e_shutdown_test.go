package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/hookflow/hookflow/internal/devserver"
	"github.com/hookflow/hookflow/workflows"
)

// TestMain lets a test run this binary as `hookflow` (HOOKFLOW_RUN_MAIN=1):
// the shutdown tests send a real SIGTERM to a real process. Run as tests,
// dev keeps the runtime's width.
func TestMain(m *testing.M) {
	if os.Getenv("HOOKFLOW_RUN_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	defaultProcs = "all" // in-process dev servers share this binary's width (procs.go)
	os.Exit(m.Run())
}

// hookflowProcess is `hookflow args...` as a child process of the test.
type hookflowProcess struct {
	cmd  *exec.Cmd
	log  *syncBuffer
	done chan error
}

func startHookflow(t *testing.T, vars map[string]string, args ...string) *hookflowProcess {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = []string{"HOOKFLOW_RUN_MAIN=1", "PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	for k, v := range vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	p := &hookflowProcess{cmd: cmd, log: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = p.log, p.log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.done
	})
	return p
}

// exited waits for the process to end, and fails the test unless it exits 0 within d.
func (p *hookflowProcess) exited(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case err := <-p.done:
		p.done <- err // for the cleanup
		if err != nil {
			t.Fatalf("hookflow %s exited with %v\n%s", p.cmd.Args[1], err, p.log.String())
		}
	case <-time.After(d):
		t.Fatalf("hookflow %s still running %s after SIGTERM\n%s", p.cmd.Args[1], d, p.log.String())
	}
}

// TestServeDrainsOnSIGTERM: on SIGTERM serve answers 503 on /readyz at
// once while it keeps serving, then closes its listener, and a request
// that was in flight all along still gets its 202 (and its run) before the
// process exits 0.
func TestServeDrainsOnSIGTERM(t *testing.T) {
	f := getFixture(t)
	dir := t.TempDir()
	if err := writeProject(dir, idsProject, idsRules); err != nil {
		t.Fatal(err)
	}
	addr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + addr
	serve := startHookflow(t, nil, "serve", "--project", dir, "--temporal", f.temporal.Addr(), "--listen", addr, "--metrics", "",
		"--log-format", "text", "--drain-delay", "1500ms", "--shutdown-timeout", "20s")
	if err := waitReady(base+"/readyz", 60*time.Second); err != nil {
		t.Fatalf("%v\n%s", err, serve.log.String())
	}

	// A request in flight: headers and half its body sent.
	id := "inflight-" + uniqueID(t)
	body := fmt.Sprintf(`{"id":%q,"type":"t","pad":%q}`, id, strings.Repeat("x", 200))
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /hooks/ids HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer ids-token\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", addr, len(body), body[:len(body)/2])
	time.Sleep(200 * time.Millisecond) // the server has read the headers

	sent := time.Now()
	if err := serve.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// Unready first, while still serving (healthz stays 200).
	waitFor(t, time.Second, "/readyz to answer 503", func() bool {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusServiceUnavailable
	})
	if resp, err := http.Get(base + "/healthz"); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("while draining, /healthz: %v %v", resp, err)
	}
	// After the drain delay the listener is closed: no new connections.
	waitFor(t, 5*time.Second, "the listener to close", func() bool {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
		}
		return err != nil
	})
	if waited := time.Since(sent); waited < time.Second {
		t.Fatalf("the listener closed %s after SIGTERM, before the 1.5 s drain delay", waited)
	}
	// The request in flight completes.
	if _, err := io.WriteString(conn, body[len(body)/2:]); err != nil {
		t.Fatalf("the in-flight request was cut: %v", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("the in-flight request got no answer: %v\n%s", err, serve.log.String())
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("the in-flight request got %d", resp.StatusCode)
	}
	if _, err := f.client.DescribeWorkflowExecution(context.Background(), "ids/"+id, ""); err != nil {
		t.Fatalf("202 but no run: %v", err)
	}
	serve.exited(t, 10*time.Second)
}

const slowProject = `
rules: ./rules
outbound: { allow_networks: [127.0.0.0/8] }
triggers:
  jobs:
    verify: { scheme: bearer, secret: jobs-token }
    event_id: payload.id
integrations:
  slow:
    kind: webhook
    url: ${SLOW_URL}
    retry: { initial: 100ms, max_attempts: 5, expire: 5m }
`

const slowRule = `
name: slow
on: [jobs]
steps:
  - id: call
    call: slow.send
    with: { body: { id: "${{ event.id }}" } }
`

// TestWorkerFinishesStepsOnSIGTERM: a worker told to stop while a step's
// call is in flight stops polling, lets the call finish, records it, and
// exits 0; the step is not abandoned and not called a second time.
func TestWorkerFinishesStepsOnSIGTERM(t *testing.T) {
	srv, err := devserver.Start(context.Background(), devserver.Options{UIPort: -1, SearchAttributes: workflows.SearchAttributeTypes(),
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	var mu sync.Mutex
	var calls int
	arrived, release := make(chan struct{}, 10), make(chan struct{})
	slow := http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		mu.Unlock()
		arrived <- struct{}{}
		<-release
		fmt.Fprint(w, `{"ok":true}`)
	})}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = slow.Serve(l) }()
	defer slow.Close()
	var once sync.Once
	releaseOnce := func() { once.Do(func() { close(release) }) }
	defer releaseOnce()

	dir := t.TempDir()
	if err := writeProject(dir, slowProject, map[string]string{"slow.yaml": slowRule}); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"SLOW_URL": "http://" + l.Addr().String() + "/slow", "TEMPORAL_ADDRESS": srv.Addr()}
	worker := startHookflow(t, vars, "worker", "--project", dir, "--metrics", "", "--log-format", "text", "--stop-timeout", "20s")
	base, serveLog := startServe(t, dir, srv.Addr(), vars)
	if err := waitReady(base+"/readyz", 60*time.Second); err != nil {
		t.Fatalf("%v\n%s\n%s", err, serveLog.String(), worker.log.String())
	}
	req, _ := http.NewRequest("POST", base+"/hooks/jobs", strings.NewReader(`{"id":"job-1"}`))
	req.Header.Set("Authorization", "Bearer jobs-token")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("post: %d", resp.StatusCode)
	}
	select {
	case <-arrived:
	case <-time.After(30 * time.Second):
		t.Fatalf("the step's call never arrived\n%s", worker.log.String())
	}

	// The call is in flight: SIGTERM the worker, then let the call finish.
	if err := worker.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	select {
	case err := <-worker.done:
		worker.done <- err // for the cleanup
		t.Fatalf("the worker exited (%v) with a step in flight\n%s", err, worker.log.String())
	default:
	}
	releaseOnce()
	worker.exited(t, 15*time.Second)

	// The step completed on its first attempt, recorded before the worker left.
	c, err := client.Dial(client.Options{HostPort: srv.Addr(), Logger: quietLogger{}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	it := c.GetWorkflowHistory(context.Background(), "jobs/job-1", "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	// The step is an activity or a local activity (a marker) depending on
	// the run model; either way its result must be in history.
	var completed, failed int
	var events []string
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		events = append(events, ev.GetEventType().String())
		switch ev.GetEventType() {
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
			completed++
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_FAILED, enumspb.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
			failed++
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if completed == 0 || failed != 0 || calls != 1 {
		t.Fatalf("after SIGTERM: %d calls, history %v; want the in-flight call made once and its result recorded\n%s", calls, events, worker.log.String())
	}
}
