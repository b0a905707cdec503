//go:build browser

package main

// The dashboard and the inspector in a real browser: Debian's Chromium,
// headless, driven by chromedp. Run with
//
//	go test -tags browser ./cmd/hookflow -run TestBrowser -v
//
// Screenshots go to the test's temp dir; -screenshots DIR writes them to DIR
// instead, after a longer, varied run of traffic that fills the charts (how
// docs/dashboard.png and docs/inspector.png are made; see docs/dashboard.md):
//
//	go test -tags browser ./cmd/hookflow -run TestBrowserDashboard -screenshots "$PWD/docs" -timeout 15m

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

var screenshots = flag.String("screenshots", "", "write the browser test's screenshots to this directory, after a longer run of traffic that fills the charts")

const chromium = "/usr/bin/chromium"

// newBrowser starts headless Chromium with a fresh profile, with nothing
// that reaches off this machine (no background networking, updates or sync).
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("no browser at %s: install Debian's chromium (apt-get install -y chromium) to run the browser test", chromium)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1440, 1000),
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(cancelCtx)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", chromium, err)
	}
	return ctx
}

// text is the text of the first element sel matches, "" when none does.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	q, _ := json.Marshal(sel)
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`(document.querySelector(%s)||{}).textContent||""`, q)))
	if err != nil {
		t.Fatalf("read %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// attr is attribute name of the first element sel matches.
func attr(t *testing.T, ctx context.Context, sel, name string) string {
	t.Helper()
	q, _ := json.Marshal(sel)
	n, _ := json.Marshal(name)
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`((document.querySelector(%s)||{getAttribute(){return ""}}).getAttribute(%s))||""`, q, n)))
	if err != nil {
		t.Fatalf("read %s[%s]: %v", sel, name, err)
	}
	return s
}

// waitText waits until the page shows want in sel (the page polls every 5s).
func waitText(t *testing.T, ctx context.Context, sel, want string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	got := ""
	for time.Now().Before(deadline) {
		if got = text(t, ctx, sel); got == want {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s shows %q, want %q", sel, got, want)
}

func waitContains(t *testing.T, ctx context.Context, sel, want string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	got := ""
	for time.Now().Before(deadline) {
		if got = text(t, ctx, sel); strings.Contains(got, want) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s shows %q, want it to contain %q", sel, got, want)
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := *screenshots
	if dir == "" {
		dir = t.TempDir()
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	file := filepath.Join(dir, name)
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", file, len(png))
}

// TestBrowserDashboard drives the dashboard and the inspector in Chromium
// after known traffic and checks the numbers, links and actions they show.
func TestBrowserDashboard(t *testing.T) {
	ctx := newBrowser(t)
	var d *dashDev
	if *screenshots == "" {
		d = startDashDev(t, "5s")
	} else {
		// 60 steps of 3s: two minutes of demo traffic fill most of the charts;
		// erp starts up and fails near the end.
		d = startDashDev(t, "3s", "erp-health: { status: 503", "erp-health: { status: 200")
	}
	want := traffic(t, d)
	d.waitSettled(t, want.calls, want.failed)
	t.Cleanup(func() {
		if t.Failed() {
			screenshot(t, ctx, "failure.png")
		}
	})

	if err := chromedp.Do(ctx, chromedp.Navigate(d.base+"/dashboard/")); err != nil {
		t.Fatal(err)
	}
	num := func(kind, name, field string) string {
		return fmt.Sprintf(`[data-%s=%q] [data-field=%q] [data-field="value"]`, kind, name, field)
	}
	waitText(t, ctx, num("trigger", "shop-orders", "received"), fmt.Sprint(want.received))
	waitText(t, ctx, num("trigger", "shop-orders", "accepted"), fmt.Sprint(want.orders))
	waitText(t, ctx, num("trigger", "shop-orders", "rejected"), fmt.Sprint(want.unauthorized+want.invalid))
	waitText(t, ctx, `[data-trigger="shop-orders"] [data-status="401"] [data-field="count"]`, fmt.Sprintf("×%d", want.unauthorized))
	waitText(t, ctx, `[data-trigger="shop-orders"] [data-status="422"] [data-field="count"]`, fmt.Sprintf("×%d", want.invalid))
	waitText(t, ctx, num("trigger", "stripe-events", "received"), fmt.Sprint(want.invoices))
	waitText(t, ctx, num("trigger", "stripe-events", "rejected"), "0")
	waitText(t, ctx, num("integration", "crm", "calls"), fmt.Sprint(want.calls["crm"]))
	waitText(t, ctx, num("integration", "chat", "calls"), fmt.Sprint(want.calls["chat"]))
	waitText(t, ctx, num("integration", "billing", "calls"), fmt.Sprint(want.calls["billing"]))
	waitText(t, ctx, num("integration", "crm", "success_rate"), "100%")
	waitText(t, ctx, num("integration", "billing", "success_rate"), "0%")
	waitText(t, ctx, `[data-kpi="received"] [data-field="value"]`, fmt.Sprint(want.received+want.invoices))
	waitText(t, ctx, `[data-kpi="failed"] [data-field="value"]`, fmt.Sprint(want.failed))
	waitText(t, ctx, `[data-integration="erp"] [data-field="health"]`, "health: "+want.erp)
	waitText(t, ctx, `[data-integration="erp"] [data-field="circuit"]`, "circuit "+map[string]string{"down": "open", "up": "closed"}[want.erp])
	waitText(t, ctx, `[data-integration="crm"] [data-field="health"]`, "health: up")
	waitText(t, ctx, `[data-integration="billing"] [data-field="health"]`, "no health check")
	if p50 := text(t, ctx, num("integration", "crm", "p50")); !strings.HasSuffix(p50, " ms") {
		t.Errorf("crm p50 shows %q, want a latency in ms", p50)
	}
	bars, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-trigger="shop-orders"] svg rect[fill="#12b76a"]').length`))
	if err != nil || bars == 0 {
		t.Errorf("the shop-orders chart draws %d accepted bars (%v)", bars, err)
	}

	// Failed runs: their error, a link into the Web UI, a replay button.
	run := fmt.Sprintf(`tr[data-run=%q]`, want.failedRun)
	waitContains(t, ctx, run+` [data-field="error"]`, "422")
	if href := attr(t, ctx, run+" a", "href"); !strings.HasPrefix(href, d.ui+"/namespaces/default/workflows/"+url.PathEscape(want.failedRun)+"/") {
		t.Errorf("failed run links to %q", href)
	}

	// Search by business key: order number 1003 is order o-3.
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#q"), "1003\r")); err != nil {
		t.Fatal(err)
	}
	waitContains(t, ctx, `[data-result="shop-orders/o-3"]`, "shop-orders/o-3")
	if href := attr(t, ctx, `[data-result="shop-orders/o-3"] a`, "href"); !strings.HasPrefix(href, d.ui+"/namespaces/default/workflows/shop-orders%2Fo-3/") {
		t.Errorf("search result links to %q", href)
	}
	if href := attr(t, ctx, `[data-field="ui-search"]`, "href"); !strings.Contains(href, "OrderNumber+%3D+%221003%22") {
		t.Errorf("the Web UI search link is %q", href)
	}
	if *screenshots == "" {
		screenshot(t, ctx, "dashboard-search.png")
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#search-results .close`))); err != nil {
		t.Fatal(err)
	}

	// Fix billing's answer in hookflow.yaml (dev reloads it), then replay
	// in_1 from the page: one click arms the button, the second replays.
	d.answer(t, billingRefuses, billingCharges, "/inspect/billing/probe", http.StatusCreated)
	button := run + ` button[data-action="replay"]`
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(button))); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, button, "Confirm replay")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(button))); err != nil {
		t.Fatal(err)
	}
	waitContains(t, ctx, run+` [data-field="replay-result"]`, "replaying failed run")
	waitContains(t, ctx, run+" .replayed", "completed")
	waitText(t, ctx, num("integration", "billing", "calls"), fmt.Sprint(want.calls["billing"]+1))
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("q").value = ""; window.scrollTo(0, 0); true`)); err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "dashboard.png")

	// The inspector: the status it answered, a filter by path, JSON pretty-printed.
	if err := chromedp.Do(ctx, chromedp.Navigate(d.base+"/inspect")); err != nil {
		t.Fatal(err)
	}
	waitContains(t, ctx, `article[data-path="/inspect/billing/v1/invoices"] [data-field="status"]`, "201")
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS("#path"), "/inspect/billing/v1"), chromedp.Submit(chromedp.CSS("#path"))); err != nil {
		t.Fatal(err)
	}
	calls := int(want.calls["billing"]) + 1 // and the replay's
	waitContains(t, ctx, "#shown", fmt.Sprintf("%d shown", calls))
	shown, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("article.req")].map(a => a.dataset.path + " " + a.querySelector('[data-field="status"]').textContent)`))
	if err != nil {
		t.Fatal(err)
	}
	statuses := map[string]int{}
	for _, s := range shown {
		statuses[s]++
	}
	// Newest first: the replay's call that the fixed answer let through.
	if len(shown) != calls || shown[0] != "/inspect/billing/v1/invoices 201" || statuses["/inspect/billing/v1/invoices 422"] != calls-1 {
		t.Errorf("the filter /inspect/billing/v1 shows %v, want the replay's 201 over %d×422", shown, calls-1)
	}
	body := text(t, ctx, `article[data-path="/inspect/billing/v1/invoices"] [data-field="body"]`)
	if !strings.Contains(body, "{\n  \"invoice\": \"in_") {
		t.Errorf("a JSON body is not pretty-printed: %q", body)
	}
	keyColoured, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-field="response"] span.k').length`))
	if err != nil || keyColoured == 0 {
		t.Errorf("no highlighted JSON keys in the answers (%v)", err)
	}
	screenshot(t, ctx, "inspector.png")
}

// sent is the traffic a test made, as the dashboard should count it.
type sent struct {
	orders, unauthorized, invalid int // shop-orders
	received                      int // shop-orders, all answers
	invoices                      int // stripe-events, all accepted
	failed                        int // runs that fail at billing
	calls                         map[string]float64
	erp                           string // health at the end: up or down
	failedRun                     string // the workflow id of a run that failed
}

// traffic sends the known traffic; with -screenshots, two minutes of
// varied traffic with a crm outage and an erp failure, so the charts and
// the health history have something to show.
func traffic(t *testing.T, d *dashDev) sent {
	if *screenshots == "" {
		d.knownTraffic(t)
		return sent{orders: 5, unauthorized: 2, invalid: 1, received: 8, invoices: 3, failed: 2,
			calls: map[string]float64{"crm": 5, "chat": 6, "billing": 2}, erp: "down", failedRun: "stripe-events/in_1"}
	}
	s := sent{calls: map[string]float64{}}
	const waves = 40
	for w := range waves {
		for range 1 + (w*7)%5 + (w/10)%3 {
			d.order(t)
			s.orders++
		}
		if w%6 == 3 {
			d.reject(t, http.StatusUnauthorized)
			s.unauthorized++
		}
		if w%11 == 7 {
			d.reject(t, http.StatusUnprocessableEntity)
			s.invalid++
		}
		if w%4 == 1 {
			d.invoice(t, "invoice.paid")
			s.invoices++
		}
		if w%13 == 5 {
			d.invoice(t, "invoice.payment_failed")
			s.invoices++
			s.failed++
			if s.failedRun == "" {
				s.failedRun = fmt.Sprintf("stripe-events/in_%d", d.invoices)
			}
		}
		switch w {
		case 12: // crm's health check fails: its steps wait, then resume
			d.answer(t, "crm: { status: 200", "crm-health: { status: 503 }\n    crm: { status: 200", "/inspect/crm-health", 503)
		case 20:
			d.answer(t, "crm-health: { status: 503 }\n    ", "", "/inspect/crm-health", 200)
		case 34:
			d.answer(t, "erp-health: { status: 200", "erp-health: { status: 503", "/inspect/erp-health", 503)
		}
		time.Sleep(3 * time.Second)
	}
	s.received = s.orders + s.unauthorized + s.invalid
	s.calls["crm"] = float64(s.orders)
	s.calls["chat"] = float64(s.orders + s.invoices - s.failed)
	s.calls["billing"] = float64(s.failed)
	s.erp = "down"
	if s.failed == 0 {
		t.Fatal(errors.New("the demo traffic fails no run"))
	}
	return s
}
