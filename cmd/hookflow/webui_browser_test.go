//go:build browser

package main

// The Hookflow view of the Temporal Web UI (docs/webui.md) in a real
// browser: Debian's Chromium, headless, driven by chromedp against the Web
// UI that `hookflow dev` embeds. Run with
//
//	go test -tags browser ./cmd/hookflow -run TestWebUIView -count=1 -v
//
// -webui-screenshots DIR writes the list's screenshot to DIR/webui-view.png
// (how docs/webui-view.png is made) instead of the test's temp dir.

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
)

var webUIScreenshots = flag.String("webui-screenshots", "", "write TestWebUIView's screenshot (webui-view.png) to this directory, e.g. docs")

// The queries docs/webui.md gives as URLs, as the Web UI itself writes them
// into the address bar.
const (
	webUIFailedQuery  = "/namespaces/default/workflows?query=HookStatus+%3D+%22failed%22"
	webUINoMatchQuery = "/namespaces/default/workflows?query=HookStatus+%3D+%22no-match%22"
)

// webUIColumns is the column set docs/webui.md's steps end with.
var webUIColumns = []string{"Status", "HookStatus", "Workflow ID", "Start", "HookEventType", "HookRules", "HookFailedSteps"}

// TestWebUIView follows docs/webui.md in the embedded Web UI after the shop
// sample's events: the columns set up in the "Configure Workflows Table"
// drawer, each run's row, the documented query URLs, saved views, and the
// no-match run's summary on its page.
func TestWebUIView(t *testing.T) {
	doc, err := os.ReadFile("../../docs/webui.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{webUIFailedQuery, webUINoMatchQuery} {
		if !strings.Contains(string(doc), u) {
			t.Errorf("docs/webui.md does not give the URL %s", u)
		}
	}
	page := newWebUIPage(t)
	d := startWebUIDev(t)
	failed := d.send(t, "shop-orders", "events/order-paid.json") // vip-order's Shopify call answers 404
	small := d.send(t, "shop-orders", "events/order-small.json")
	low := d.send(t, "shop-inventory", "events/inventory-low.json")
	noMatch := d.send(t, "shop-inventory", "events/inventory-ok.json") // 42 available: no rule wants it: the hour's ledger
	if !strings.HasPrefix(noMatch, "nomatch/shop-inventory/") {
		t.Fatalf("inventory-ok answered %s; want its no-match ledger", noMatch)
	}
	for _, id := range []string{failed, small, low} {
		d.waitClosed(t, id)
	}
	// The list is read from visibility, which may trail the runs a little;
	// the page does not refresh by itself.
	waitFor(t, 30*time.Second, "3 closed runs and the open ledger in visibility", func() bool {
		r, err := d.client.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{Query: `ExecutionStatus != "Running"`})
		l, lerr := d.client.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{Query: `HookStatus = "no-match"`})
		return err == nil && lerr == nil && len(r.GetExecutions()) == 3 && len(l.GetExecutions()) == 1
	})

	page.open(d.ui + "/namespaces/default/workflows")
	page.waitRows(4)

	// Configure Workflows Table, as docs/webui.md says.
	page.click(`[data-testid="workflows-summary-table-configuration-button"]`)
	for _, label := range []string{"Run ID", "Type", "End"} {
		page.click(fmt.Sprintf(`[data-testid="orderable-list-item-%s-remove-button"]`, label))
	}
	for _, label := range []string{"HookStatus", "HookEventType", "HookRules", "HookFailedSteps"} {
		page.click(fmt.Sprintf(`[data-testid="orderable-list-item-%s-add-button"]`, label))
	}
	for range 2 {
		page.click(`[data-testid="orderable-list-item-HookStatus-move-up-button"]`)
	}
	page.click(`[data-testid="drawer-close-button"]`)
	if got := page.columns(); !slices.Equal(got, webUIColumns) {
		t.Fatalf("columns after the documented steps %q, want %q", got, webUIColumns)
	}

	rows := page.waitRows(4)
	want := map[string][2]string{ // workflow id → Status, HookStatus
		failed:  {"FAILED", "failed"},
		small:   {"COMPLETED", "completed"},
		low:     {"COMPLETED", "completed"},
		noMatch: {"RUNNING", "no-match"},
	}
	for _, r := range rows {
		w, ok := want[r["Workflow ID"]]
		if !ok {
			t.Errorf("unexpected row %v", r)
			continue
		}
		if r["Status"] != w[0] || r["HookStatus"] != w[1] {
			t.Errorf("%s: Status %q, HookStatus %q; want %q, %q", r["Workflow ID"], r["Status"], r["HookStatus"], w[0], w[1])
		}
		switch r["Workflow ID"] {
		case failed:
			if r["HookRules"] != "paid-order,vip-order" || r["HookFailedSteps"] != "vip-order/tag" || r["HookEventType"] != "orders/paid" {
				t.Errorf("failed run's row %v", r)
			}
		case noMatch:
			if r["HookRules"] != "" || r["HookEventType"] != "" {
				t.Errorf("no-match ledger's row %v", r)
			}
		}
	}

	// The documented URLs list exactly their runs; each is saved as a view.
	for _, q := range []struct{ url, id, view string }{
		{webUIFailedQuery, failed, "Hookflow failed"},
		{webUINoMatchQuery, noMatch, "Hookflow no-match"},
	} {
		page.open(d.ui + q.url)
		if r := page.waitRows(1); r[0]["Workflow ID"] != q.id {
			t.Errorf("%s lists %v, want %s", q.url, r, q.id)
		}
		page.clickText("button", "Save as New")
		page.typeInto(`[data-testid="workflow-save-view-modal-input"]`, q.view)
		page.clickText("dialog[open] button", "Save")
		page.waitJS("the view "+q.view+" in the bar", fmt.Sprintf(`[...document.querySelectorAll("[data-testid=saved-views-bar] a")].some(a => a.innerText.trim() === %q)`, q.view))
	}
	page.open(d.ui + "/namespaces/default/workflows")
	page.waitRows(4)
	if strings.Contains(page.text("body"), "no rule matched") {
		t.Error("the list shows run summaries now: docs/webui.md says it does not")
	}
	page.screenshot("webui-view.png")
	page.pick(`[data-testid="saved-views-button"]`, "[role=menuitem]", "Hookflow failed")
	if r := page.waitRows(1); r[0]["Workflow ID"] != failed {
		t.Errorf("the saved view Hookflow failed lists %v, want %s", r, failed)
	}

	// The no-match ledger's page shows its summary under User Metadata.
	desc, err := d.client.DescribeWorkflowExecution(context.Background(), noMatch, "")
	if err != nil {
		t.Fatal(err)
	}
	runID := desc.GetWorkflowExecutionInfo().GetExecution().GetRunId()
	page.open(d.ui + "/namespaces/default/workflows/" + url.PathEscape(noMatch) + "/" + runID + "/history")
	page.clickText("[role=tab]", "User Metadata")
	summary := "shop-inventory · events no rule matched, " + strings.TrimPrefix(noMatch, "nomatch/shop-inventory/")[:10]
	// The UI renders it as Markdown, in a frame of its own.
	page.waitJS("the summary "+summary, fmt.Sprintf(`document.querySelector("iframe#user-metadata-summary")?.contentDocument?.body?.innerText.includes(%q)`, summary))
}

// webUIDev is `hookflow dev` on the shop sample with its Web UI, the
// integrations at its own inspector but Shopify at a path dev answers 404,
// so the vip-order rule's tag step fails at once.
type webUIDev struct {
	*sampleDev
	ui string
}

func startWebUIDev(t *testing.T) *webUIDev {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	tport, uiport := freePort(t), freePort(t)
	base := "http://" + addr
	const project = "../../samples/shop"
	d := &webUIDev{ui: "http://127.0.0.1:" + strconv.Itoa(uiport), sampleDev: &sampleDev{project: project, base: base, getenv: mapEnv(map[string]string{
		"HUBSPOT_BASE_URL":  base + "/inspect/hubspot",
		"SLACK_API_URL":     base + "/inspect/slack",
		"SHOPIFY_SHOP_URL":  base + "/shopify-offline",
		"TEAMS_WEBHOOK_URL": base + "/inspect/teams",
	})}}
	var out, errOut syncBuffer
	d.logs = func() string { return out.String() + errOut.String() }
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"dev", "--project", project, "--listen", addr, "--temporal-port", strconv.Itoa(tport),
			"--ui-port", strconv.Itoa(uiport), "--ephemeral", "--log-level", "warn"}, d.getenv, &out, &errOut)
	}()
	t.Cleanup(func() {
		if d.client != nil {
			d.client.Close()
		}
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("dev exited with %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("dev did not stop within 30s")
		}
		if t.Failed() {
			t.Logf("dev stdout:\n%s\ndev stderr:\n%s", out.String(), errOut.String())
		}
	})
	if err := waitReady(base+"/readyz", 90*time.Second); err != nil {
		t.Fatalf("%v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errOut.String())
	}
	if err := waitReady(d.ui+"/api/v1/settings", 30*time.Second); err != nil {
		t.Fatal(err)
	}
	d.client, err = client.Dial(client.Options{HostPort: "127.0.0.1:" + strconv.Itoa(tport), Logger: quietLogger{}})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// webUIPage is one browser tab. Its methods fail the test on an error, and
// every step waits at most webUIWait.
type webUIPage struct {
	t   *testing.T
	ctx context.Context
}

const webUIWait = 30 * time.Second

// newWebUIPage opens a fresh browser (newBrowser: a new profile, so the
// Web UI starts from Temporal's default columns, and nothing that reaches
// off this machine).
func newWebUIPage(t *testing.T) webUIPage {
	t.Helper()
	ctx := newBrowser(t)
	// Wide enough for the Hookflow columns side by side.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1920, 560)); err != nil {
		t.Fatalf("start %s: %v", chromium, err)
	}
	return webUIPage{t: t, ctx: ctx}
}

func (p webUIPage) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, webUIWait)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.t.Fatalf("%s: %v", what, err)
	}
}

// eval runs a script and decodes what it returns (JSON-encoded) into v.
func (p webUIPage) eval(js string, v any) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, webUIWait)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string]("JSON.stringify("+js+")"))
	if err != nil {
		p.t.Fatalf("evaluate %s: %v", js, err)
	}
	if err := json.Unmarshal([]byte(s), v); err != nil {
		p.t.Fatalf("evaluate %s: %s: %v", js, s, err)
	}
}

func (p webUIPage) open(u string) {
	p.t.Helper()
	p.do("open "+u, chromedp.Navigate(u))
}

// click clicks the visible element sel matches, once there is one. The
// click is the element's own (a script's): the UI re-renders lists as they
// change, so a node found by one protocol call may be gone by the next.
func (p webUIPage) click(sel string) {
	p.t.Helper()
	p.clickFound(sel, fmt.Sprintf(`[...document.querySelectorAll(%q)].find(e => e.offsetParent !== null)`, sel))
}

func (p webUIPage) typeInto(sel, text string) {
	p.t.Helper()
	p.do("type into "+sel, chromedp.SendKeys(sel, text))
}

func (p webUIPage) text(sel string) string {
	p.t.Helper()
	var s string
	p.eval(fmt.Sprintf(`(document.querySelector(%q) || {}).innerText || ""`, sel), &s)
	return s
}

// clickText clicks the visible element matching sel whose text or
// aria-label is label, once there is one.
func (p webUIPage) clickText(sel, label string) {
	p.t.Helper()
	p.clickFound(fmt.Sprintf("%s %q", sel, label), fmt.Sprintf(`[...document.querySelectorAll(%q)].find(e => e.offsetParent !== null && (e.innerText.trim() === %q || e.getAttribute("aria-label") === %q))`, sel, label, label))
}

// clickFound waits until the expression find returns an element, then
// clicks it.
func (p webUIPage) clickFound(what, find string) {
	p.t.Helper()
	p.waitJS(what, find)
	var ok bool
	p.eval("(e => e ? (e.click(), true) : false)("+find+")", &ok)
	if !ok {
		p.t.Fatalf("click %s: gone", what)
	}
}

// pick opens the menu behind the button sel and clicks its item (matching
// itemSel) whose text is label. The Web UI sometimes marks its menu open
// (aria-expanded="true") without drawing it: seen with Chromium
// 156.0.8078.114 in about one run in twenty, on CI and here, and clicking
// the button again (closing, then opening) draws nothing either. A user
// clicks again, then reloads the page; so does pick, once each, logging
// why.
func (p webUIPage) pick(sel, itemSel, label string) {
	p.t.Helper()
	item := fmt.Sprintf(`[...document.querySelectorAll(%q)].find(e => e.offsetParent !== null && e.innerText.trim() === %q)`, itemSel, label)
	for try := 1; ; try++ {
		p.click(sel)
		if try == 3 || p.poll(item, 3*time.Second) {
			break
		}
		var open bool
		p.eval(fmt.Sprintf(`[...document.querySelectorAll(%q)].some(e => e.getAttribute("aria-expanded") === "true")`, sel), &open)
		if try == 1 {
			p.t.Logf("%s: no %q after 3s (marked open: %t); clicking again", sel, label, open)
			if open {
				p.click(sel) // closes the menu it did not draw
			}
			continue
		}
		p.t.Logf("%s: no %q after 3s again (marked open: %t); reloading the page", sel, label, open)
		p.do("reload", chromedp.Reload())
	}
	p.clickText(itemSel, label)
}

// poll reports whether a boolean expression holds within d.
func (p webUIPage) poll(cond string, d time.Duration) bool {
	p.t.Helper()
	deadline := time.Now().Add(d)
	for {
		var ok bool
		p.eval("!!("+cond+")", &ok)
		if ok {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitJS polls a boolean expression until it holds.
func (p webUIPage) waitJS(what, cond string) {
	p.t.Helper()
	if p.poll(cond, webUIWait) {
		return
	}
	var loc string
	p.eval("location.href", &loc)
	p.screenshot("timeout.png")
	p.t.Fatalf("timed out after %s waiting for %s at %s; the page shows:\n%s", webUIWait, what, loc, p.text("body"))
}

// columns are the list's column labels, in order.
func (p webUIPage) columns() []string {
	p.t.Helper()
	var cols []string
	p.eval(`[...document.querySelectorAll('[data-testid^="workflows-summary-table-header-cell-"]')].map(h => h.dataset.testid.slice("workflows-summary-table-header-cell-".length))`, &cols)
	return cols
}

// waitRows waits until the list shows n rows and returns each as column
// label → cell text.
func (p webUIPage) waitRows(n int) []map[string]string {
	p.t.Helper()
	p.waitJS(fmt.Sprintf("%d rows in the list", n), fmt.Sprintf(`document.querySelectorAll("[data-testid=workflows-summary-configurable-table-row]").length === %d`, n))
	cols := p.columns()
	var cells [][]string
	p.eval(`[...document.querySelectorAll("[data-testid=workflows-summary-configurable-table-row]")].map(r => [...r.querySelectorAll("[data-testid=workflows-summary-table-body-cell]")].map(c => c.innerText.trim()))`, &cells)
	rows := make([]map[string]string, len(cells))
	for i, r := range cells {
		if len(r) != len(cols) {
			p.t.Fatalf("row %d has %d cells for %d columns: %q", i, len(r), len(cols), r)
		}
		rows[i] = map[string]string{}
		for j, c := range r {
			rows[i][cols[j]] = c
		}
	}
	return rows
}

// screenshot saves the Web UI's content area (the list without the
// navigation) as name.
func (p webUIPage) screenshot(name string) {
	p.t.Helper()
	dir := *webUIScreenshots
	if dir == "" {
		dir = p.t.TempDir()
	}
	ctx, cancel := context.WithTimeout(p.ctx, webUIWait)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.Screenshot("#content"))
	if err != nil {
		p.t.Fatalf("screenshot: %v", err)
	}
	file := filepath.Join(dir, name)
	if err := os.WriteFile(file, png, 0o644); err != nil {
		p.t.Fatal(err)
	}
	p.t.Logf("screenshot: %s (%d bytes)", file, len(png))
}
