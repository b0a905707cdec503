package main

import (
	"testing"
	"time"
)

func TestRunsQuery(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	got, err := runsQuery("failed", "shop-orders", "vip-order", time.Hour, `HookEventType = "orders/paid"`, now)
	if err != nil {
		t.Fatal(err)
	}
	want := `WorkflowType IN ("HandleEventV2", "HandleEvent") AND HookStatus = "failed" AND HookTrigger = "shop-orders" AND HookRules = "vip-order" AND StartTime > "2026-11-23T11:00:00Z" AND (HookEventType = "orders/paid")`
	if got != want {
		t.Fatalf("query\n got %s\nwant %s", got, want)
	}
	if _, err := runsQuery("broken", "", "", 0, "", now); err == nil {
		t.Fatal("an unknown status was accepted")
	}
}
