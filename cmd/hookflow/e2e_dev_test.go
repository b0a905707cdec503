package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookflow/hookflow/internal/inspector"
)

// syncBuffer is a bytes.Buffer safe to write from a running command and read from the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestDevRunsTheShopSample is the README's quickstart: `hookflow dev` with the
// sample project, then `hookflow send` of the sample event, then the calls
// arrive at the built-in inspector and the Web UI answers.
func TestDevRunsTheShopSample(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	tport, uiport := freePort(t), freePort(t)
	base := "http://" + addr
	getenv := mapEnv(map[string]string{
		"CRM_URL":         base + "/inspect/crm",
		"OPS_WEBHOOK_URL": base + "/inspect/ops",
	})
	var out, errOut syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"dev", "--project", "../../samples/shop", "--listen", addr,
			"--temporal-port", strconv.Itoa(tport), "--ui-port", strconv.Itoa(uiport), "--ephemeral", "--log-level", "warn"},
			getenv, &out, &errOut)
	}()
	if err := waitReady(base+"/readyz", 90*time.Second); err != nil {
		t.Fatalf("%v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errOut.String())
	}
	for _, want := range []string{"webhooks    " + base + "/hooks/{trigger}", "web UI      http://127.0.0.1:" + strconv.Itoa(uiport), "temporal    127.0.0.1:" + strconv.Itoa(tport)} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("dev output lacks %q:\n%s", want, out.String())
		}
	}

	var sendOut, sendErr syncBuffer
	err = run(ctx, []string{"send", "--project", "../../samples/shop", "--url", base, "shop-orders", "../../samples/shop/events/order-paid.json"}, getenv, &sendOut, &sendErr)
	if err != nil {
		t.Fatalf("send: %v\n%s%s", err, sendOut.String(), sendErr.String())
	}
	for _, want := range []string{"202", `"workflow_id": "shop-orders/`, "open the run: http://127.0.0.1:" + strconv.Itoa(uiport) + "/namespaces/default/workflows/shop-orders%2F"} {
		if !strings.Contains(sendOut.String(), want) {
			t.Errorf("send output lacks %q:\n%s", want, sendOut.String())
		}
	}

	// paid-order calls the CRM then chat with the contact id; vip-order alerts chat.
	var got []inspector.Request
	waitFor(t, 30*time.Second, "3 requests at the inspector", func() bool {
		got = inspected(t, base)
		return len(got) >= 3
	})
	var crm, ops []inspector.Request
	for _, r := range got {
		switch r.Bin {
		case "crm":
			crm = append(crm, r)
		case "ops":
			ops = append(ops, r)
		}
	}
	if len(crm) != 1 || len(ops) != 2 {
		t.Fatalf("crm %d, ops %d requests; want 1 and 2", len(crm), len(ops))
	}
	if !strings.Contains(crm[0].Body, `"email":"jon@example.com"`) || crm[0].Path != "/inspect/crm/contacts" {
		t.Errorf("crm request %s %s", crm[0].Path, crm[0].Body)
	}
	var notify bool
	for _, r := range ops {
		if strings.Contains(r.Body, "CRM contact crm-") {
			notify = true
		}
	}
	if !notify {
		t.Errorf("no chat message carries the CRM contact id: %+v", ops)
	}

	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/", uiport))
	if err != nil {
		t.Fatalf("web UI: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("web UI answered %d", resp.StatusCode)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("dev exited with %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("dev did not stop within 30s of Ctrl-C")
	}
}

func inspected(t *testing.T, base string) []inspector.Request {
	t.Helper()
	resp, err := http.Get(base + "/inspect/requests")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var reqs []inspector.Request
	if err := json.Unmarshal(data, &reqs); err != nil {
		t.Fatalf("inspector answer %s: %v", data, err)
	}
	return reqs
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
