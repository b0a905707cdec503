package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/hookflow/hookflow/internal/inspector"
)

// The samples, end to end: `hookflow dev` on each sample project with its
// integrations pointed at that dev instance's own request inspector (as the
// sample's defaults do, but on free ports), `hookflow send` of the sample
// events, and the vendor-shaped requests checked where they arrive. Nothing
// leaves 127.0.0.1.

// sampleDev is one running `hookflow dev`.
type sampleDev struct {
	project string
	base    string // http://127.0.0.1:PORT, webhooks, admin API and inspector
	getenv  func(string) (string, bool)
	client  client.Client
	logs    func() string // what dev printed so far, stdout then stderr
}

// startSampleDev runs `hookflow dev` on project with env, which may name
// "{base}" to mean the dev instance's own address; it stops at the end of t.
func startSampleDev(t *testing.T, project string, env map[string]string) *sampleDev {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	tport := freePort(t)
	base := "http://" + addr
	vars := map[string]string{}
	for k, v := range env {
		vars[k] = strings.ReplaceAll(v, "{base}", base)
	}
	d := &sampleDev{project: project, base: base, getenv: mapEnv(vars)}
	var out, errOut syncBuffer
	d.logs = func() string { return out.String() + errOut.String() }
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"dev", "--project", project, "--listen", addr,
			"--temporal-port", strconv.Itoa(tport), "--ui-port", "-1", "--ephemeral", "--log-level", "warn"},
			d.getenv, &out, &errOut)
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
	d.client, err = client.Dial(client.Options{HostPort: "127.0.0.1:" + strconv.Itoa(tport), Logger: quietLogger{}})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// send posts an event file of the sample with `hookflow send` and returns the
// workflow id from the answer.
func (d *sampleDev) send(t *testing.T, trigger, file string) string {
	t.Helper()
	var out, errOut syncBuffer
	err := run(context.Background(), []string{"send", "--project", d.project, "--url", d.base, trigger, filepath.Join(d.project, file)}, d.getenv, &out, &errOut)
	if err != nil || !strings.Contains(out.String(), "202") {
		t.Fatalf("send %s %s: %v\n%s%s", trigger, file, err, out.String(), errOut.String())
	}
	i := strings.Index(out.String(), "{")
	var ans struct {
		WorkflowID string `json:"workflow_id"`
	}
	dec := json.NewDecoder(strings.NewReader(out.String()[max(i, 0):]))
	if i < 0 || dec.Decode(&ans) != nil || ans.WorkflowID == "" {
		t.Fatalf("send printed no workflow id:\n%s", out.String())
	}
	return ans.WorkflowID
}

// bins waits until the inspector holds at least want[bin] requests of each
// bin and returns the requests by bin.
func (d *sampleDev) bins(t *testing.T, want map[string]int) map[string][]inspector.Request {
	t.Helper()
	var by map[string][]inspector.Request
	waitFor(t, 30*time.Second, fmt.Sprintf("inspector requests %v", want), func() bool {
		by = map[string][]inspector.Request{}
		for _, r := range inspected(t, d.base) {
			by[r.Bin] = append(by[r.Bin], r)
		}
		for bin, n := range want {
			if len(by[bin]) < n {
				return false
			}
		}
		return true
	})
	return by
}

func (d *sampleDev) waitStatus(t *testing.T, wfID string, want enumspb.WorkflowExecutionStatus) {
	t.Helper()
	waitFor(t, 30*time.Second, fmt.Sprintf("%s to be %s", wfID, want), func() bool {
		r, err := d.client.DescribeWorkflowExecution(context.Background(), wfID, "")
		return err == nil && r.GetWorkflowExecutionInfo().GetStatus() == want
	})
}

// checkCount fails unless bin received exactly n requests.
func checkCount(t *testing.T, by map[string][]inspector.Request, bin string, n int) {
	t.Helper()
	if len(by[bin]) != n {
		t.Errorf("%s received %d requests, want %d: %+v", bin, len(by[bin]), n, by[bin])
	}
}

// withBody returns the requests whose body contains s.
func withBody(reqs []inspector.Request, s string) []inspector.Request {
	var out []inspector.Request
	for _, r := range reqs {
		if strings.Contains(r.Body, s) {
			out = append(out, r)
		}
	}
	return out
}

func TestSampleShop(t *testing.T) {
	d := startSampleDev(t, "../../samples/shop", map[string]string{
		"HUBSPOT_BASE_URL":  "{base}/inspect/hubspot",
		"SLACK_API_URL":     "{base}/inspect/slack",
		"SHOPIFY_SHOP_URL":  "{base}/inspect/shopify",
		"TEAMS_WEBHOOK_URL": "{base}/inspect/teams",
	})
	order := d.send(t, "shop-orders", "events/order-paid.json")
	small := d.send(t, "shop-orders", "events/order-small.json")
	low := d.send(t, "shop-inventory", "events/inventory-low.json")
	ok := d.send(t, "shop-inventory", "events/inventory-ok.json")
	for _, id := range []string{order, small, low} {
		d.waitStatus(t, id, enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED)
	}
	if !strings.HasPrefix(ok, "nomatch/shop-inventory/") {
		t.Errorf("inventory-ok, which no rule wants, answered %s; want its no-match ledger", ok)
	}
	by := d.bins(t, map[string]int{"hubspot": 2, "slack": 3, "shopify": 1, "teams": 1})
	checkCount(t, by, "hubspot", 2)
	checkCount(t, by, "slack", 3) // two paid-order messages, one VIP announcement
	checkCount(t, by, "shopify", 1)
	checkCount(t, by, "teams", 1)

	for _, r := range by["hubspot"] {
		if r.Method != http.MethodPost || r.Path != "/inspect/hubspot/crm/v3/objects/contacts/batch/upsert" ||
			r.Headers["authorization"] != "Bearer dev-hubspot-token" || !strings.Contains(r.Body, `"idProperty":"email"`) {
			t.Errorf("hubspot request: %s %s %v %s", r.Method, r.Path, r.Headers["authorization"], r.Body)
		}
	}
	if len(withBody(by["hubspot"], `"id":"jon@example.com"`)) != 1 {
		t.Errorf("no HubSpot upsert for jon@example.com: %+v", by["hubspot"])
	}
	// The Slack message carries the contact id HubSpot (the inspector) answered.
	notify := withBody(by["slack"], "Order #1001 paid")
	if len(notify) != 1 || !strings.Contains(notify[0].Body, "HubSpot contact 10") || !strings.Contains(notify[0].Body, `"channel":"C0DEVORDERS"`) ||
		notify[0].Path != "/inspect/slack/chat.postMessage" || notify[0].Headers["authorization"] != "Bearer xoxb-dev-token" {
		t.Errorf("Slack message for #1001: %+v", notify)
	}
	if len(withBody(by["slack"], "VIP order #1001")) != 1 || len(withBody(by["slack"], "VIP order #1002")) != 0 {
		t.Errorf("want one VIP announcement, for #1001: %+v", by["slack"])
	}
	tag := by["shopify"][0]
	if tag.Path != "/inspect/shopify/admin/api/2026-10/graphql.json" || tag.Headers["x-shopify-access-token"] != "shpat_dev" ||
		!strings.Contains(tag.Body, "tagsAdd") || !strings.Contains(tag.Body, `"id":"gid://shopify/Order/820982911946154508"`) || !strings.Contains(tag.Body, `"tags":["vip"]`) {
		t.Errorf("Shopify tag request: %s %v %s", tag.Path, tag.Headers["x-shopify-access-token"], tag.Body)
	}
	card := by["teams"][0]
	if !strings.Contains(card.Body, "application/vnd.microsoft.card.adaptive") || !strings.Contains(card.Body, "Inventory item 271878346596884015") ||
		!strings.Contains(card.Body, "down to 3 available") {
		t.Errorf("Teams card: %s", card.Body)
	}
}

// salesforceStandIn answers like Salesforce's sObject create and records what
// it received. The salesforce kind keeps only the scheme and host of
// instance_url, so its requests cannot reach the inspector under /inspect/.
type salesforceStandIn struct {
	mu   sync.Mutex
	reqs []inspector.Request
}

func (s *salesforceStandIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.reqs = append(s.reqs, inspector.Request{Method: r.Method, Path: r.URL.Path, Body: string(body),
		Headers: map[string]string{"authorization": r.Header.Get("Authorization"), "content-type": r.Header.Get("Content-Type")}})
	n := len(s.reqs)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/services/data/v60.0/sobjects/Lead/") {
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `[{"errorCode":"NOT_FOUND","message":"The requested resource does not exist"}]`)
		return
	}
	w.WriteHeader(http.StatusCreated)
	fmt.Fprintf(w, `{"id":"00Q5e00000Test%d","success":true,"errors":[]}`, n)
}

func (s *salesforceStandIn) requests() []inspector.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]inspector.Request(nil), s.reqs...)
}

func TestSampleLeads(t *testing.T) {
	// The sample waits 3d for the qualified signal; a copy of it waits 4s so
	// that one lead can time out within the test (durations are literal in
	// rules, so no variable can shorten them).
	project := t.TempDir()
	if err := os.CopyFS(project, os.DirFS("../../samples/leads")); err != nil {
		t.Fatal(err)
	}
	rule := filepath.Join(project, "rules", "new-lead.yaml")
	src, err := os.ReadFile(rule)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(src), "timeout: 3d") {
		t.Fatal("rules/new-lead.yaml no longer waits `timeout: 3d`; update this test")
	}
	if err := os.WriteFile(rule, []byte(strings.Replace(string(src), "timeout: 3d", "timeout: 4s", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	sf := &salesforceStandIn{}
	srv := httptest.NewServer(sf) // 127.0.0.1
	defer srv.Close()

	d := startSampleDev(t, project, map[string]string{
		"SALESFORCE_INSTANCE_URL": srv.URL,
		"SENDGRID_BASE_URL":       "{base}/inspect/sendgrid",
		"HOOKFLOW_ADMIN_TOKEN":    "e2e-admin-token-0123456789",
	})
	ada := d.send(t, "leads", "events/lead-ada.json")
	grace := d.send(t, "leads", "events/lead-grace.json")
	if ada != "leads/sub_01JD7Q3V5ZK8M2R4T6W8Y0A2C4" {
		t.Fatalf("workflow id %q, want leads/<submission_id>", ada)
	}
	// Both welcome emails out: both runs are at (or about to be at) their wait.
	by := d.bins(t, map[string]int{"sendgrid": 2})
	for _, r := range by["sendgrid"] {
		if r.Path != "/inspect/sendgrid/v3/mail/send" || r.Headers["authorization"] != "Bearer SG.dev-key" || !strings.Contains(r.Body, `"categories":["lead-welcome"]`) {
			t.Errorf("welcome email: %s %v %s", r.Path, r.Headers["authorization"], r.Body)
		}
	}
	if len(withBody(by["sendgrid"], `"email":"ada@analytical.example"`)) != 1 {
		t.Errorf("no welcome email to Ada: %+v", by["sendgrid"])
	}

	// Sales qualifies Ada through the admin API.
	qualified, err := os.ReadFile("../../samples/leads/events/qualified.json")
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, d.base+"/runs/"+url.PathEscape(ada)+"/signals/qualified", strings.NewReader(string(qualified)))
	req.Header.Set("Authorization", "Bearer e2e-admin-token-0123456789")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	ans, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("signal: %d %s", resp.StatusCode, ans)
	}

	d.waitStatus(t, ada, enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED)
	d.waitStatus(t, grace, enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED)
	by = d.bins(t, map[string]int{"sendgrid": 3})
	checkCount(t, by, "sendgrid", 3)
	followups := withBody(by["sendgrid"], `"categories":["lead-followup"]`)
	if len(followups) != 1 || !strings.Contains(followups[0].Body, `"email":"grace@cobol.example"`) || !strings.Contains(followups[0].Body, "Still interested, Grace?") {
		t.Errorf("want exactly one follow-up, to Grace (timed out), none to Ada (qualified): %+v", followups)
	}

	leads := sf.requests()
	if len(leads) != 2 {
		t.Fatalf("Salesforce received %d requests, want 2: %+v", len(leads), leads)
	}
	for _, r := range leads {
		var fields map[string]any
		if r.Path != "/services/data/v60.0/sobjects/Lead/" || r.Headers["authorization"] != "Bearer dev-salesforce-token" ||
			json.Unmarshal([]byte(r.Body), &fields) != nil || fields["LeadSource"] != "Web" || fields["LastName"] == nil || fields["Company"] == nil {
			t.Errorf("Salesforce lead request: %s %v %s", r.Path, r.Headers, r.Body)
		}
	}
}

func TestSampleBilling(t *testing.T) {
	d := startSampleDev(t, "../../samples/billing", map[string]string{
		"HUBSPOT_BASE_URL": "{base}/inspect/hubspot",
		"TWILIO_BASE_URL":  "{base}/inspect/twilio",
		"SLACK_API_URL":    "{base}/inspect/slack",
	})
	const invoice = "in_1QxYzA2eZvKYlo2C8m4Rk3Tq"
	failed := d.send(t, "stripe", "events/invoice-payment-failed.json")
	if failed != "stripe/evt_1QxYzB2eZvKYlo2CfA1lEd01" {
		t.Fatalf("workflow id %q, want stripe/<event id>", failed)
	}
	// The failed run alerts Slack, then waits; the paid event finds it by the
	// invoice id once visibility shows it.
	by := d.bins(t, map[string]int{"hubspot": 2, "twilio": 1, "slack": 1})
	waitFor(t, 15*time.Second, "the waiting run to be visible by its invoice id", func() bool {
		r, err := d.client.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{
			Query: fmt.Sprintf("HookCorrelationKey = %q AND ExecutionStatus = 'Running'", invoice),
		})
		return err == nil && len(r.GetExecutions()) == 1
	})
	paid := d.send(t, "stripe", "events/invoice-paid.json")

	d.waitStatus(t, failed, enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED)
	d.waitStatus(t, paid, enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED)
	by = d.bins(t, map[string]int{"hubspot": 2, "twilio": 2, "slack": 2})
	checkCount(t, by, "hubspot", 2)
	checkCount(t, by, "twilio", 2)
	checkCount(t, by, "slack", 2)

	note := withBody(by["hubspot"], "hs_note_body")
	if len(note) != 1 || note[0].Path != "/inspect/hubspot/crm/v3/objects/notes" || !strings.Contains(note[0].Body, "payment of 49.00 USD for invoice ACME-0042 failed") ||
		!strings.Contains(note[0].Body, `"associationTypeId":202`) || !strings.Contains(note[0].Body, `"id":"20`) {
		t.Errorf("HubSpot note (associated with the upserted contact 20…): %+v", note)
	}
	for _, r := range by["twilio"] {
		if r.Path != "/inspect/twilio/2010-04-01/Accounts/AC00000000000000000000000000000000/Messages.json" ||
			r.Headers["content-type"] != "application/x-www-form-urlencoded" || !strings.HasPrefix(r.Headers["authorization"], "Basic ") {
			t.Errorf("Twilio request: %s %v", r.Path, r.Headers)
		}
		form, err := url.ParseQuery(r.Body)
		if err != nil || form.Get("To") != "+15555550123" || form.Get("From") != "+15005550006" {
			t.Errorf("Twilio form: %s", r.Body)
		}
	}
	if len(withBody(by["twilio"], "failed")) != 1 || len(withBody(by["twilio"], "thank+you")) != 1 || len(withBody(by["twilio"], "reminder")) != 0 {
		t.Errorf("want the failure SMS and the thank-you, no reminder: %+v", by["twilio"])
	}
	if len(withBody(by["slack"], "Payment failed: invoice ACME-0042")) != 1 || len(withBody(by["slack"], "Invoice ACME-0042 recovered")) != 1 {
		t.Errorf("want the failure alert and the recovery message in Slack: %+v", by["slack"])
	}
}
