package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookflow/hookflow/internal/devserver"
)

const idsProject = `
rules: ./rules
triggers:
  ids:
    verify: { scheme: bearer, secret: ids-token }
    event_id: payload.id
    event_type: payload.type
    correlate: payload.key
    dedupe_window: 0   # duplicates found by Temporal, not the body cache
`

// idsRules make every ids event start a run (an event no rule wants would
// only be recorded in the no-match ledger); the run waits, and nothing
// needs a worker.
var idsRules = map[string]string{"hold.yaml": `
name: hold
on: [ids]
steps:
  - { id: hold, sleep: 1h }
`}

// startServe runs `hookflow serve` on the project against temporal until
// the test ends, and returns its base URL and its log.
func startServe(t *testing.T, dir, temporal string, vars map[string]string, extra ...string) (string, *syncBuffer) {
	t.Helper()
	addr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	log := &syncBuffer{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		args := append([]string{"serve", "--project", dir, "--temporal", temporal, "--listen", addr, "--metrics", "", "--log-format", "text"}, extra...)
		_ = run(ctx, args, mapEnv(vars), io.Discard, log)
	}()
	t.Cleanup(func() { cancel(); <-done })
	base := "http://" + addr
	waitFor(t, 30*time.Second, "serve to listen", func() bool {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil
	})
	return base, log
}

type startAnswer struct {
	status     int
	retryAfter string
	body       map[string]any
	took       time.Duration
}

func postIDs(t *testing.T, base string, event map[string]any) startAnswer {
	t.Helper()
	data, _ := json.Marshal(event)
	req, _ := http.NewRequest("POST", base+"/hooks/ids", bytes.NewReader(data))
	req.Header.Set("Authorization", "Bearer ids-token")
	req.Header.Set("Content-Type", "application/json")
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return startAnswer{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After"), body: body, took: time.Since(start)}
}

// TestStartNormalizesOrRejectsEventData (issue 9 item 7): an id the gRPC
// layer cannot carry is percent-encoded into the workflow id and kept as it
// was in the input and HookEventId; data over Temporal's limits gets a 4xx
// that says what is wrong; neither ever answers 503.
func TestStartNormalizesOrRejectsEventData(t *testing.T) {
	f := getFixture(t)
	dir := t.TempDir()
	if err := writeProject(dir, idsProject, idsRules); err != nil {
		t.Fatal(err)
	}
	base, log := startServe(t, dir, f.temporal.Addr(), nil)
	suffix := uniqueID(t)

	for _, c := range []struct{ id, wfID string }{
		{"café-1-" + suffix, "ids/caf%C3%A9-1-" + suffix},
		{"tab\tand\x01ctl-" + suffix, "ids/tab%09and%01ctl-" + suffix},
		{"50%off-" + suffix, "ids/50%25off-" + suffix},
	} {
		ans := postIDs(t, base, map[string]any{"id": c.id, "type": "t"})
		if ans.status != http.StatusAccepted || ans.body["workflow_id"] != c.wfID {
			t.Fatalf("id %q: %d %v, want 202 with workflow id %q\n%s", c.id, ans.status, ans.body, c.wfID, log.String())
		}
		d, err := f.client.DescribeWorkflowExecution(context.Background(), c.wfID, "")
		if err != nil {
			t.Fatal(err)
		}
		var got string
		if err := json.Unmarshal(d.GetWorkflowExecutionInfo().GetSearchAttributes().GetIndexedFields()["HookEventId"].GetData(), &got); err != nil || got != c.id {
			t.Fatalf("HookEventId %q (%v), want the original %q", got, err, c.id)
		}
		// The same delivery again finds the same run.
		if again := postIDs(t, base, map[string]any{"id": c.id, "type": "t"}); again.status != http.StatusAccepted || again.body["duplicate"] != true {
			t.Fatalf("redelivery of %q: %d %v, want a 202 duplicate", c.id, again.status, again.body)
		}
	}

	// A long type is fine for the run; only its one-line summary is shortened.
	long := strings.Repeat("t", 1000)
	if ans := postIDs(t, base, map[string]any{"id": "long-type-" + suffix, "type": long}); ans.status != http.StatusAccepted {
		t.Fatalf("a 1,000-byte event type: %d %v\n%s", ans.status, ans.body, log.String())
	}

	for _, c := range []struct {
		name  string
		event map[string]any
		want  string
	}{
		{"event type over 2 KB", map[string]any{"id": "big-type-" + suffix, "type": strings.Repeat("x", 3000)}, "event type"},
		{"correlation key over 2 KB", map[string]any{"id": "big-key-" + suffix, "type": "t", "key": strings.Repeat("k", 3000)}, "correlation key"},
	} {
		ans := postIDs(t, base, c.event)
		msg, _ := ans.body["error"].(string)
		if ans.status != http.StatusUnprocessableEntity || !strings.Contains(msg, c.want) {
			t.Fatalf("%s: %d %q, want 422 naming the %s", c.name, ans.status, msg, c.want)
		}
	}
	if strings.Count(log.String(), "event refused") != 2 {
		t.Fatalf("serve did not log the cause of the 422s:\n%s", log.String())
	}
}

// TestStartErrorsNameSetup: a namespace that does not exist, or one without
// hookflow's search attributes, answers 500 with a message naming
// `hookflow setup` at once (not 503, which senders retry for days), and the
// cause is logged once, not per request.
func TestStartErrorsNameSetup(t *testing.T) {
	f := getFixture(t)
	dir := t.TempDir()
	if err := writeProject(dir, idsProject, idsRules); err != nil {
		t.Fatal(err)
	}
	bare, err := devserver.Start(context.Background(), devserver.Options{UIPort: -1,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))})
	if err != nil {
		t.Fatal(err)
	}
	defer bare.Stop()
	for _, c := range []struct {
		name, temporal, logged string
		extra                  []string
	}{
		{"missing namespace", f.temporal.Addr(), "namespace", []string{"--namespace", "no-such-namespace"}},
		{"missing search attributes", bare.Addr(), "search attribute", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			base, log := startServe(t, dir, c.temporal, nil, c.extra...)
			for i := range 3 {
				ans := postIDs(t, base, map[string]any{"id": "setup-" + uniqueID(t), "type": "t"})
				msg, _ := ans.body["error"].(string)
				if ans.status != http.StatusInternalServerError || !strings.Contains(msg, "hookflow setup") {
					t.Fatalf("post %d: %d %q, want 500 naming hookflow setup\n%s", i, ans.status, msg, log.String())
				}
				if ans.took > 3*time.Second {
					t.Fatalf("post %d took %s: a configuration problem is not worth retrying", i, ans.took)
				}
			}
			if n := strings.Count(log.String(), "level=ERROR"); n != 1 || !strings.Contains(log.String(), c.logged) {
				t.Fatalf("logged %d errors for 3 requests, want the cause once:\n%s", n, log.String())
			}
		})
	}
}

// TestStartUnavailable: with Temporal unreachable the answer is 503 with
// Retry-After; when Temporal comes back within the start timeout, the
// request is answered 202 without the sender retrying.
func TestStartUnavailable(t *testing.T) {
	f := getFixture(t)
	dir := t.TempDir()
	if err := writeProject(dir, idsProject, idsRules); err != nil {
		t.Fatal(err)
	}
	px := newFlakyProxy(t, f.temporal.Addr())
	base, log := startServe(t, dir, px.addr(), nil, "--start-timeout", "4s")
	if ans := postIDs(t, base, map[string]any{"id": "up-" + uniqueID(t), "type": "t"}); ans.status != http.StatusAccepted {
		t.Fatalf("through the proxy: %d %v\n%s", ans.status, ans.body, log.String())
	}

	// Down for a moment, shorter than the start timeout: the start waits it out.
	// (First, while the connection's reconnect backoff is still short.)
	id := "blip-" + uniqueID(t)
	px.setDown(true)
	go func() {
		time.Sleep(time.Second)
		px.setDown(false)
	}()
	if ans := postIDs(t, base, map[string]any{"id": id, "type": "t"}); ans.status != http.StatusAccepted {
		t.Fatalf("temporal back after 1s: %d %v, want 202\n%s", ans.status, ans.body, log.String())
	}
	if _, err := f.client.DescribeWorkflowExecution(context.Background(), "ids/"+id, ""); err != nil {
		t.Fatalf("a 202 without a run: %v", err)
	}

	// Down for longer than the start timeout: 503, with Retry-After.
	px.setDown(true)
	ans := postIDs(t, base, map[string]any{"id": "down-" + uniqueID(t), "type": "t"})
	if ans.status != http.StatusServiceUnavailable || ans.retryAfter == "" {
		t.Fatalf("temporal unreachable: %d Retry-After %q %v, want 503 with Retry-After", ans.status, ans.retryAfter, ans.body)
	}
}

// flakyProxy forwards TCP to a target; while down it cuts every connection
// and refuses new ones, as a Temporal frontend that went away.
type flakyProxy struct {
	l      net.Listener
	target string
	mu     sync.Mutex
	down   bool
	conns  []net.Conn
}

func newFlakyProxy(t *testing.T, target string) *flakyProxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &flakyProxy{l: l, target: target}
	t.Cleanup(func() { l.Close(); p.setDown(true) })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			if p.down {
				p.mu.Unlock()
				c.Close()
				continue
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				p.mu.Unlock()
				c.Close()
				continue
			}
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(up, c); up.Close() }()
			go func() { _, _ = io.Copy(c, up); c.Close() }()
		}
	}()
	return p
}

func (p *flakyProxy) addr() string { return p.l.Addr().String() }

func (p *flakyProxy) setDown(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = down
	if down {
		for _, c := range p.conns {
			c.Close()
		}
		p.conns = nil
	}
}
