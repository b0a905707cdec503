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
		"HUBSPOT_BASE_URL":  base + "/inspect/hubspot",
		"SLACK_API_URL":     base + "/inspect/slack",
		"SHOPIFY_SHOP_URL":  base + "/inspect/shopify",
		"TEAMS_WEBHOOK_URL": base + "/inspect/teams",
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

	// paid-order upserts the HubSpot contact, then posts to Slack with its id;
	// vip-order tags the order in Shopify, then posts to Slack.
	var got []inspector.Request
	waitFor(t, 30*time.Second, "4 requests at the inspector", func() bool {
		got = inspected(t, base)
		return len(got) >= 4
	})
	var crm, chat, shop []inspector.Request
	for _, r := range got {
		switch r.Bin {
		case "hubspot":
			crm = append(crm, r)
		case "slack":
			chat = append(chat, r)
		case "shopify":
			shop = append(shop, r)
		}
	}
	if len(crm) != 1 || len(chat) != 2 || len(shop) != 1 {
		t.Fatalf("hubspot %d, slack %d, shopify %d requests; want 1, 2 and 1", len(crm), len(chat), len(shop))
	}
	if !strings.Contains(crm[0].Body, `"email":"jon@example.com"`) || crm[0].Path != "/inspect/hubspot/crm/v3/objects/contacts/batch/upsert" {
		t.Errorf("hubspot request %s %s", crm[0].Path, crm[0].Body)
	}
	var notify bool
	for _, r := range chat {
		if strings.Contains(r.Body, "HubSpot contact 10") {
			notify = true
		}
	}
	if !notify {
		t.Errorf("no Slack message carries the HubSpot contact id: %+v", chat)
	}
	if !strings.Contains(shop[0].Body, `"tags":["vip"]`) {
		t.Errorf("shopify request %s", shop[0].Body)
	}

	// What dev shows without a token it shows only to requests made on this
	// machine: not to a DNS-rebinding page (foreign Host) nor through a
	// tunnel or proxy (forwarding headers). The inspector still records.
	for _, path := range []string{"/status", "/openapi.json", "/inspect", "/inspect/requests"} {
		if code := devGet(t, base+path, "", ""); code != http.StatusOK {
			t.Errorf("GET %s from this machine: %d, want 200", path, code)
		}
		if code := devGet(t, base+path, "rebind.example:8080", ""); code != http.StatusForbidden {
			t.Errorf("GET %s with Host rebind.example: %d, want 403", path, code)
		}
		if code := devGet(t, base+path, "", "203.0.113.9"); code != http.StatusForbidden {
			t.Errorf("GET %s through a proxy: %d, want 403", path, code)
		}
	}
	if code := devGet(t, base+"/inspect/tunnel/hook", "abc.ngrok.example", "203.0.113.9"); code >= 300 {
		t.Errorf("recording through a tunnel answered %d", code)
	}

	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/", uiport))
	if err != nil {
		t.Fatalf("web UI: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("web UI answered %d", resp.StatusCode)
	}

	logged := len(errOut.String())
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("dev exited with %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("dev did not stop within 30s of Ctrl-C")
	}
	// Ctrl-C ends with one line and no warnings from the embedded server
	// about connections it closes on purpose (paper cut 7).
	if after := errOut.String()[logged:]; strings.Contains(after, "level=WARN") {
		t.Errorf("Ctrl-C logged warnings:\n%s", after)
	}
	if !strings.HasSuffix(out.String(), "hookflow dev: stopped\n") {
		t.Errorf("dev did not end with \"stopped\":\n%s", out.String())
	}
}

// devGet GETs url with the Host and X-Forwarded-For given (empty: none) and
// returns the status.
func devGet(t *testing.T, url, host, forwardedFor string) int {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	if forwardedFor != "" {
		req.Header.Set("X-Forwarded-For", forwardedFor)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
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
