package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// dashProject is a project whose integrations all point at dev's own
// inspector: crm and chat answer 200, billing 422 (so its runs fail), and
// erp's health check 503 (down, its circuit open).
const dashProject = `
rules: ./rules
admin: { token: "` + dashAdminToken + `" }
outbound:
  allow_networks: [127.0.0.0/8]
search_attributes:
  OrderNumber: payload.order_number
triggers:
  shop-orders:
    verify: { scheme: bearer, secret: shop-token }
    event_id: payload.id
    event_type: payload.type
    schema:
      id: required
      email: required,email
  stripe-events:
    verify: { scheme: bearer, secret: stripe-token }
    event_id: payload.id
    event_type: payload.type
integrations:
  crm:
    kind: webhook
    url: ${BASE}/inspect/crm/v1/contacts
    health_check: { url: "${BASE}/inspect/crm-health", interval: 5s }
  chat:
    kind: webhook
    url: ${BASE}/inspect/chat/v1/messages
  billing:
    kind: webhook
    url: ${BASE}/inspect/billing/v1/invoices
  erp:
    kind: webhook
    url: ${BASE}/inspect/erp/v1/orders
    health_check: { url: "${BASE}/inspect/erp-health", interval: 5s }
inspector:
  responses:
    crm: { status: 200, body: { id: "contact-{{seq}}", status: created } }
    chat: { status: 200, body: { ok: true, ts: "1767225600.{{seq}}" } }
    ` + billingRefuses + `
    erp-health: { status: 503, body: { status: maintenance } }
`

const dashAdminToken = "dashboard-e2e-admin-token-0123"

// billing's canned answer, and the one a test fixes it to.
const (
	billingRefuses = `billing: { status: 422, body: { error: { type: invalid_request_error, message: customer has no default payment method } } }`
	billingCharges = `billing: { status: 201, body: { id: "ch_{{seq}}", object: charge, status: succeeded } }`
)

var dashRules = map[string]string{
	"paid-order.yaml": `
name: paid-order
on: [shop-orders]
when: event.type == "orders/paid"
steps:
  - id: contact
    call: crm.send
    with: { body: { email: "${{ payload.email }}", order: "${{ payload.id }}" } }
  - id: notify
    call: chat.send
    needs: [contact]
    with: { body: { text: "Order ${{ payload.order_number }} paid by ${{ payload.email }}" } }
`,
	"invoice-failed.yaml": `
name: invoice-failed
on: [stripe-events]
when: event.type == "invoice.payment_failed"
steps:
  - id: charge
    call: billing.send
    with: { body: { invoice: "${{ payload.id }}" } }
`,
	"invoice-paid.yaml": `
name: invoice-paid
on: [stripe-events]
when: event.type == "invoice.paid"
steps:
  - id: notify
    call: chat.send
    with: { body: { text: "Invoice ${{ payload.id }} paid" } }
`,
}

// dashDev is `hookflow dev` running dashProject in this process.
type dashDev struct {
	base, ui, dir string
	cancel        context.CancelFunc
	done          chan error
	out, errOut   *syncBuffer
	orders        int // shop-orders events sent, for unique ids
	invoices      int
}

// startDashDev starts dev with the dashboard's chart step set to step;
// edits are old/new pairs applied to the project file first.
func startDashDev(t *testing.T, step string, edits ...string) *dashDev {
	t.Helper()
	dir := t.TempDir()
	addr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	d := &dashDev{base: "http://" + addr, dir: dir, done: make(chan error, 1), out: &syncBuffer{}, errOut: &syncBuffer{}}
	project := strings.ReplaceAll(dashProject, "${BASE}", d.base)
	for i := 0; i+1 < len(edits); i += 2 {
		project = strings.Replace(project, edits[i], edits[i+1], 1)
	}
	if err := writeProject(dir, project, dashRules); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	d.cancel = cancel
	uiPort := freePort(t)
	d.ui = "http://127.0.0.1:" + strconv.Itoa(uiPort)
	getenv := mapEnv(map[string]string{dashboardStepEnv: step})
	go func() {
		d.done <- run(ctx, []string{"dev", "--project", dir, "--listen", addr, "--temporal-port", "0",
			"--ui-port", strconv.Itoa(uiPort), "--ephemeral", "--log-level", "warn"}, getenv, d.out, d.errOut)
	}()
	t.Cleanup(func() { d.stop(t) })
	if err := waitReady(d.base+"/readyz", 90*time.Second); err != nil {
		t.Fatalf("%v\nstdout:\n%s\nstderr:\n%s", err, d.out.String(), d.errOut.String())
	}
	return d
}

func (d *dashDev) stop(t *testing.T) {
	if d.cancel == nil {
		return
	}
	d.cancel()
	d.cancel = nil
	select {
	case err := <-d.done:
		if err != nil {
			t.Errorf("dev exited with %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Error("dev did not stop within 30s")
	}
}

// post sends payload to trigger with a bearer token and returns the status.
func (d *dashDev) post(t *testing.T, trigger, token string, payload map[string]any) int {
	t.Helper()
	body, _ := json.Marshal(payload)
	req, _ := http.NewRequest("POST", d.base+"/hooks/"+trigger, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// order sends a paid order (o-N, order number 100N) and wants 202.
func (d *dashDev) order(t *testing.T) {
	t.Helper()
	d.orders++
	n := d.orders
	if got := d.post(t, "shop-orders", "shop-token", map[string]any{"id": fmt.Sprintf("o-%d", n), "type": "orders/paid",
		"order_number": strconv.Itoa(1000 + n), "email": fmt.Sprintf("buyer%d@example.com", n)}); got != http.StatusAccepted {
		t.Fatalf("order o-%d answered %d", n, got)
	}
}

// invoice sends a Stripe-like event of typ (in_N) and wants 202.
func (d *dashDev) invoice(t *testing.T, typ string) {
	t.Helper()
	d.invoices++
	if got := d.post(t, "stripe-events", "stripe-token", map[string]any{"id": fmt.Sprintf("in_%d", d.invoices), "type": typ}); got != http.StatusAccepted {
		t.Fatalf("invoice in_%d answered %d", d.invoices, got)
	}
}

// reject sends what the door refuses: a wrong token (401) or a payload
// that fails the schema (422).
func (d *dashDev) reject(t *testing.T, status int) {
	t.Helper()
	token, payload := "shop-token", map[string]any{"id": "bad", "type": "orders/paid"} // no email: 422
	if status == http.StatusUnauthorized {
		token = "stolen-token"
	}
	if got := d.post(t, "shop-orders", token, payload); got != status {
		t.Fatalf("rejection answered %d, want %d", got, status)
	}
}

// knownTraffic is what the dashboard tests check the numbers of:
// shop-orders 8 received (5 accepted, 2×401, 1×422); stripe-events 3
// accepted, two of which fail at billing (422); crm 5 calls, chat 6,
// billing 2, all first attempts.
func (d *dashDev) knownTraffic(t *testing.T) {
	for range 5 {
		d.order(t)
	}
	d.reject(t, http.StatusUnauthorized)
	d.reject(t, http.StatusUnauthorized)
	d.reject(t, http.StatusUnprocessableEntity)
	d.invoice(t, "invoice.payment_failed")
	d.invoice(t, "invoice.payment_failed")
	d.invoice(t, "invoice.paid")
}

// dashOverview is the part of /dashboard/api/overview the tests read.
type dashOverview struct {
	Triggers []struct {
		Name                         string
		Received, Accepted, Rejected float64
		ByStatus                     []struct{ Status, Count int } `json:"by_status"`
	}
	Integrations []struct {
		Name                      string
		Calls, Succeeded, Retries float64
		SuccessRate               *float64 `json:"success_rate"`
		Circuit                   string
		Health                    *struct {
			Up      bool
			Pending bool
			History []struct{ Up bool }
		}
	}
	Failed struct {
		Runs []struct {
			WorkflowID string `json:"workflow_id"`
			Error, URL string
			Latest     string
		}
		Error string
	}
}

func (d *dashDev) overview(t *testing.T) dashOverview {
	t.Helper()
	var v dashOverview
	d.getJSON(t, "/dashboard/api/overview", &v)
	return v
}

func (d *dashDev) getJSON(t *testing.T, path string, v any) int {
	t.Helper()
	resp, err := http.Get(d.base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return resp.StatusCode
}

// calls is the integration's call count in v.
func (v dashOverview) calls(name string) float64 {
	for _, in := range v.Integrations {
		if in.Name == name {
			return in.Calls
		}
	}
	return -1
}

// waitSettled waits until the dashboard shows every call and failed run
// the traffic makes.
func (d *dashDev) waitSettled(t *testing.T, calls map[string]float64, failed int) dashOverview {
	t.Helper()
	var v dashOverview
	waitFor(t, 60*time.Second, fmt.Sprintf("calls %v and %d failed runs on the dashboard", calls, failed), func() bool {
		v = d.overview(t)
		for name, n := range calls {
			if v.calls(name) != n {
				return false
			}
		}
		return len(v.Failed.Runs) == failed
	})
	return v
}

// answer changes one canned inspector answer in hookflow.yaml, as a person
// editing the project would, and waits until the inspector gives it.
func (d *dashDev) answer(t *testing.T, old, new, probe string, status int) {
	t.Helper()
	file := filepath.Join(d.dir, "hookflow.yaml")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		t.Fatalf("hookflow.yaml lacks %q", old)
	}
	if err := os.WriteFile(file, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 20*time.Second, "the inspector to answer "+probe+" with "+strconv.Itoa(status), func() bool {
		resp, err := http.Get(d.base + probe)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == status
	})
}

// TestDevDashboard: after known traffic the dashboard's data has the exact
// counts, the failed runs with their errors and Web UI links, the health
// of each checked integration, a search by business key, and a replay
// that works once the inspector's canned answer is fixed in hookflow.yaml
// (which dev reloads without a restart).
func TestDevDashboard(t *testing.T) {
	d := startDashDev(t, "5s")
	if !strings.Contains(d.out.String(), "dashboard   "+d.base+"/dashboard/") {
		t.Errorf("dev does not say where the dashboard is:\n%s", d.out.String())
	}
	d.knownTraffic(t)
	v := d.waitSettled(t, map[string]float64{"crm": 5, "chat": 6, "billing": 2}, 2)

	trig := map[string]string{}
	for _, tr := range v.Triggers {
		trig[tr.Name] = fmt.Sprintf("%g/%g/%g %v", tr.Received, tr.Accepted, tr.Rejected, tr.ByStatus)
	}
	if want := "8/5/3 [{401 2} {422 1}]"; trig["shop-orders"] != want {
		t.Errorf("shop-orders received/accepted/rejected %s, want %s", trig["shop-orders"], want)
	}
	if want := "3/3/0 []"; trig["stripe-events"] != want {
		t.Errorf("stripe-events %s, want %s", trig["stripe-events"], want)
	}
	for _, in := range v.Integrations {
		switch in.Name {
		case "billing":
			if *in.SuccessRate != 0 || in.Circuit != "" || in.Health != nil {
				t.Errorf("billing %+v", in)
			}
		case "crm", "chat":
			if *in.SuccessRate != 1 {
				t.Errorf("%s success rate %g", in.Name, *in.SuccessRate)
			}
		}
	}
	// The health monitor's first round runs at start: crm up, erp down.
	waitFor(t, 30*time.Second, "health states of crm and erp", func() bool {
		v = d.overview(t)
		states := map[string]string{}
		for _, in := range v.Integrations {
			if in.Health != nil && !in.Health.Pending && len(in.Health.History) > 0 {
				states[in.Name] = fmt.Sprintf("%v %s", in.Health.Up, in.Circuit)
			}
		}
		return states["crm"] == "true closed" && states["erp"] == "false open"
	})
	for _, r := range v.Failed.Runs {
		if !strings.HasPrefix(r.WorkflowID, "stripe-events/in_") || !strings.Contains(r.Error, "422") ||
			!strings.HasPrefix(r.URL, d.ui+"/namespaces/default/workflows/stripe-events%2Fin_") {
			t.Errorf("failed run %+v", r)
		}
	}

	// Search by the business key (OrderNumber 1003) finds order o-3.
	var found struct {
		Runs []struct {
			WorkflowID string `json:"workflow_id"`
			URL        string
		}
		QueryURL string `json:"query_url"`
	}
	waitFor(t, 20*time.Second, "search results for 1003", func() bool {
		d.getJSON(t, "/dashboard/api/search?q=1003", &found)
		return len(found.Runs) == 1
	})
	if found.Runs[0].WorkflowID != "shop-orders/o-3" || !strings.HasPrefix(found.QueryURL, d.ui+"/namespaces/default/workflows?query=") ||
		!strings.Contains(found.QueryURL, url.QueryEscape(`OrderNumber = "1003"`)) {
		t.Errorf("search: %+v", found)
	}

	// Fix billing's answer in hookflow.yaml; dev reloads it; replay in_1.
	d.answer(t, billingRefuses, billingCharges, "/inspect/billing/probe", http.StatusCreated)
	body := strings.NewReader(`{"workflow_id":"stripe-events/in_1"}`)
	resp, err := http.Post(d.base+"/dashboard/api/replay", "application/json", body)
	if err != nil {
		t.Fatal(err)
	}
	msg, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(msg), "replaying failed run") {
		t.Fatalf("replay: %d %s", resp.StatusCode, msg)
	}
	waitFor(t, 30*time.Second, "in_1's replay to complete", func() bool {
		for _, r := range d.overview(t).Failed.Runs {
			if r.WorkflowID == "stripe-events/in_1" {
				return r.Latest == "completed"
			}
		}
		return false
	})
	if got := d.overview(t).calls("billing"); got != 3 {
		t.Errorf("billing calls after the replay: %g, want 3", got)
	}
}
