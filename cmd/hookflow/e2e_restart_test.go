package main

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
)

// TestDevKeepsRunsAcrossRestarts: with --db, a run acknowledged before a
// stop is still there after a start on the same file, which also reopens
// with every search attribute registered.
func TestDevKeepsRunsAcrossRestarts(t *testing.T) {
	db := filepath.Join(t.TempDir(), "dev.db")
	addr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	tport, base := freePort(t), "http://"+addr
	getenv := mapEnv(map[string]string{"HUBSPOT_BASE_URL": base + "/inspect/hubspot", "SLACK_API_URL": base + "/inspect/slack",
		"SHOPIFY_SHOP_URL": base + "/inspect/shopify", "TEAMS_WEBHOOK_URL": base + "/inspect/teams"})
	start := func() (stop func()) {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		var out, errOut syncBuffer
		go func() {
			done <- run(ctx, []string{"dev", "--project", "../../samples/shop", "--listen", addr,
				"--temporal-port", strconv.Itoa(tport), "--ui-port", "-1", "--db", db, "--log-level", "error"}, getenv, &out, &errOut)
		}()
		if err := waitReady(base+"/readyz", 90*time.Second); err != nil {
			t.Fatalf("%v\n%s%s", err, out.String(), errOut.String())
		}
		return func() {
			cancel()
			if err := <-done; err != nil {
				t.Fatalf("dev exited with %v", err)
			}
		}
	}

	stop := start()
	var sendOut, sendErr syncBuffer
	if err := run(context.Background(), []string{"send", "--project", "../../samples/shop", "--url", base, "--id", "restart-1",
		"shop-orders", "../../samples/shop/events/order-paid.json"}, getenv, &sendOut, &sendErr); err != nil {
		t.Fatalf("send: %v\n%s%s", err, sendOut.String(), sendErr.String())
	}
	completed := func() bool {
		c, err := client.Dial(client.Options{HostPort: "127.0.0.1:" + strconv.Itoa(tport), Logger: quietLogger{}})
		if err != nil {
			return false
		}
		defer c.Close()
		d, err := c.DescribeWorkflowExecution(context.Background(), "shop-orders/restart-1", "")
		return err == nil && d.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED
	}
	// Stopped mid-run, an in-flight step waits out its timeout after the
	// restart (Temporal's guarantee, slow to test): stop once it completed.
	waitFor(t, 30*time.Second, "the run to complete", completed)
	stop()

	stop = start()
	defer stop()
	if !completed() {
		t.Fatal("the completed run is gone after the restart")
	}
	// The same delivery again is a duplicate of the stored run, not a new one.
	sendOut = syncBuffer{}
	if err := run(context.Background(), []string{"send", "--project", "../../samples/shop", "--url", base, "--id", "restart-1",
		"shop-orders", "../../samples/shop/events/order-paid.json"}, getenv, &sendOut, &sendErr); err != nil {
		t.Fatalf("send: %v", err)
	}
	if !strings.Contains(sendOut.String(), `"duplicate": true`) {
		t.Fatalf("the redelivery after a restart was not a duplicate:\n%s", sendOut.String())
	}
}
