package main

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
)

// The commerce sample end to end: Stripe, Mailchimp and WhatsApp through
// the inspector, and Telegram, whose bot token rides in the URL path,
// pointed at a port that refuses connections, so that its failure is
// retried, logged and written to history. A canary token must appear in
// none of that: not in the workflow histories, not in dev's logs.
func TestSampleCommerce(t *testing.T) {
	const canary = "987654321:AAcanaryE2E-token_neverSHOWN"
	d := startSampleDev(t, "../../samples/commerce", map[string]string{
		"STRIPE_API_URL":     "{base}/inspect/stripe",
		"MAILCHIMP_BASE_URL": "{base}/inspect/mailchimp/3.0",
		"WHATSAPP_BASE_URL":  "{base}/inspect/whatsapp",
		"TELEGRAM_API_URL":   "http://127.0.0.1:" + closedPort(t),
		"TELEGRAM_BOT_TOKEN": canary,
	})
	b2b := d.send(t, "shop-orders", "events/order-b2b.json")
	paid := d.send(t, "shop-orders", "events/order-paid.json")
	for _, id := range []string{b2b, paid} {
		d.waitClosed(t, id)
	}
	by := d.bins(t, map[string]int{"stripe": 6, "mailchimp": 2, "whatsapp": 1})
	checkCount(t, by, "stripe", 6)
	checkCount(t, by, "mailchimp", 2)
	checkCount(t, by, "whatsapp", 1)
	checkCount(t, by, "telegram", 0)

	// Stripe: the list by email, then five form-encoded POSTs, each with the
	// pinned version and its step's own Idempotency-Key.
	keys := map[string]bool{}
	for i, r := range by["stripe"] {
		if r.Headers["authorization"] != "Bearer sk_test_dev" || r.Headers["stripe-version"] != "2026-11-18.endive" {
			t.Errorf("stripe request %d: %v", i, r.Headers)
		}
		if r.Method == http.MethodGet {
			continue
		}
		if r.Headers["content-type"] != "application/x-www-form-urlencoded" {
			t.Errorf("stripe %s: content-type %q", r.Path, r.Headers["content-type"])
		}
		keys[r.Headers["idempotency-key"]] = true
	}
	for _, step := range []string{"customer", "invoice", "line", "finalize", "send"} {
		if !keys[b2b+"/b2b-invoice/"+step] {
			t.Errorf("no Stripe request with Idempotency-Key %s/b2b-invoice/%s: %v", b2b, step, keys)
		}
	}
	if r := by["stripe"][0]; r.Method != http.MethodGet || r.Path != "/inspect/stripe/v1/customers" {
		t.Errorf("first Stripe request %s %s, want the list by email", r.Method, r.Path)
	}
	if item := withBody(by["stripe"], "amount=125050"); len(item) != 1 || item[0].Path != "/inspect/stripe/v1/invoiceitems" {
		t.Errorf("invoice item of 1250.50 EUR in cents: %+v", item)
	}
	// Mailchimp: the member by the MD5 of the address, then its tags.
	if put, tags := by["mailchimp"][0], by["mailchimp"][1]; put.Method != http.MethodPut ||
		put.Path != "/inspect/mailchimp/3.0/lists/a1b2c3d4e5/members/dc36565cc2376197358fa27ed4c47253" ||
		!strings.Contains(put.Body, `"status_if_new":"subscribed"`) || tags.Path != put.Path+"/tags" ||
		!strings.Contains(tags.Body, `{"name":"customer","status":"active"}`) || !strings.Contains(tags.Body, `{"name":"lead","status":"inactive"}`) {
		t.Errorf("mailchimp: %+v", by["mailchimp"])
	}
	if wa := by["whatsapp"][0]; wa.Path != "/inspect/whatsapp/v26.0/106540352242922/messages" || !strings.Contains(wa.Body, `"name":"order_confirmation"`) {
		t.Errorf("whatsapp: %s %s", wa.Path, wa.Body)
	}

	// The token appears nowhere hookflow wrote, though Telegram failed.
	secret := canary[strings.Index(canary, ":")+1:]
	var redacted bool
	for _, id := range []string{b2b, paid} {
		it := d.client.GetWorkflowHistory(context.Background(), id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				t.Fatal(err)
			}
			text := ev.String()
			if strings.Contains(text, secret) || strings.Contains(text, url.PathEscape(canary)) {
				t.Errorf("history of %s holds the bot token: event %d %s", id, ev.GetEventId(), ev.GetEventType())
			}
			redacted = redacted || strings.Contains(text, "/bot[redacted]/sendMessage")
		}
	}
	if !redacted {
		t.Error("no failed Telegram call in history shows /bot[redacted]/sendMessage")
	}
	if logs := d.logs(); strings.Contains(logs, secret) {
		t.Errorf("dev's logs hold the bot token")
	}
}

// waitClosed waits until a run is no longer running, however it ended.
func (d *sampleDev) waitClosed(t *testing.T, wfID string) {
	t.Helper()
	waitFor(t, 60*time.Second, wfID+" to close", func() bool {
		r, err := d.client.DescribeWorkflowExecution(context.Background(), wfID, "")
		return err == nil && r.GetWorkflowExecutionInfo().GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING
	})
}

// closedPort is a loopback port nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	return strconv.Itoa(freePort(t))
}
