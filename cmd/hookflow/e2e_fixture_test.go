package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/hookflow/hookflow/internal/devserver"
	"github.com/hookflow/hookflow/triggers/verify"
	"github.com/hookflow/hookflow/workflows"
)

// The end-to-end fixture: an embedded Temporal server, `hookflow serve` and
// `hookflow worker` run against it as in production, and a receiver on
// 127.0.0.1 that records what the integrations send and answers as scripted.
type fixture struct {
	temporal *devserver.Server
	client   client.Client
	hooksURL string
	receiver *receiver
	secret   string
	// Prometheus endpoints of serve and worker.
	serveMetrics, workerMetrics string
	// dir is the project directory serve and worker watch.
	dir string
	// serveLog and workerLog are what the two processes log.
	serveLog, workerLog *syncBuffer
}

var (
	fixtureOnce sync.Once
	shared      *fixture
	fixtureErr  error
)

const testSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

const testAdminToken = "e2e-admin-token-0123456789"

const testProject = `
rules: ./rules
admin: { token: "${ADMIN_TOKEN:-e2e-admin-token-0123456789}" }
search_attributes:
  OrderEmail: payload.data.email
  OrderN: { type: int, value: payload.data.n }
outbound:
  allow_networks: [127.0.0.0/8]
triggers:
  invoices:
    verify: { scheme: standard, secret: "${ORDERS_SECRET}" }
    event_type: payload.type
    correlate: payload.invoice
  invoices-weak:                     # unsigned, same key space: must not resume dunning runs
    verify: { scheme: none }
    event_type: payload.type
    correlate: payload.invoice
  orders:
    verify: { scheme: standard, secret: "${ORDERS_SECRET}" }
    event_type: payload.kind
    schema:
      kind: required
      data.email: omitempty,email
  # The hardened front door (e2e_door_test.go): one trigger per setting and per scheme.
  door-limited:
    verify: { scheme: bearer, secret: door-token }
    rate_limit: 1/h
  door-office:
    verify: { scheme: bearer, secret: door-token }
    allow_ips: [192.0.2.0/24, "2001:db8::/32"]
  door-github:
    verify: { scheme: github, secret: door-gh-secret }
  door-slack:
    verify: { scheme: slack, secret: door-slack-secret }
    body: form
    event_type: payload.command
    schema: { command: required, user_name: required }
  send-stripe:
    verify: { scheme: stripe, secret: whsec_door_stripe }
  send-shopify:
    verify: { scheme: shopify, secret: door-shop-secret }
  send-hubspot:
    verify: { scheme: hubspot, secret: door-hubspot-secret }
  send-woocommerce:
    verify: { scheme: woocommerce, secret: door-woo-secret }
  send-hmac:
    verify:
      scheme: hmac
      secret: door-hmac-secret
      header: X-Signature
      algorithm: sha512
      encoding: base64
      prefix: "sha512="
      timestamp_header: X-Timestamp
      content: "{timestamp}.{method}.{url}.{body}"
  send-bearer:
    verify: { scheme: bearer, secret: door-token }
  send-basic:
    verify: { scheme: basic, secret: "door:pass" }
  send-none:
    verify: { scheme: none }
health:
  notify: recv.send
  with: { path: /alerts/health, body: { text: "${{ payload.integration }} is ${{ payload.state }}" } }
integrations:
  limited:
    kind: webhook
    url: ${RECEIVER_URL}/limited
    rate_limit: 50/s
    concurrency: 2
  monitored:
    kind: webhook
    url: ${RECEIVER_URL}/monitored
    health_check: { url: "${RECEIVER_URL}/health", interval: 5s }
    retry: { initial: 50ms, backoff: 1.5, max_interval: 200ms, expire: 5m }
  sfoauth:                           # e2e_oauth_test.go: tokens fetched from the receiver
    kind: salesforce
    instance_url: ${RECEIVER_URL}/sf
    oauth:
      grant: client_credentials
      token_url: ${RECEIVER_URL}/oauth/token
      client_id: e2e-client
      client_secret: e2e-oauth-client-secret
    retry: { initial: 50ms, backoff: 1.5, max_interval: 200ms, max_attempts: 2, expire: 1m }
  recv:
    kind: webhook
    url: ${RECEIVER_URL}
    retry: { initial: 50ms, backoff: 1.5, max_interval: 200ms, max_attempts: 5, expire: 1m }
`

var testRules = map[string]string{
	"limited.yaml": `
name: limited
on: [orders]
when: event.type == "limited"
steps:
  - id: send
    call: limited.send
    with: { body: { n: "${{ payload.data.n }}" } }
`,
	"monitored.yaml": `
name: monitored
on: [orders]
when: event.type == "monitored"
steps:
  - id: send
    call: monitored.send
    with: { body: { n: "${{ payload.data.n }}" } }
`,
	"dunning.yaml": `
name: dunning
on: [invoices]
when: event.type == "invoice.payment_failed"
steps:
  - id: paid
    wait_for: { event: invoice.paid, timeout: 1h }
  - id: remind
    if: steps.paid.timed_out
    call: recv.send
    needs: [paid]
    with: { path: /remind }
  - id: thanks
    if: "!steps.paid.timed_out"
    call: recv.send
    needs: [paid]
    with: { path: /thanks, body: { invoice: "${{ steps.paid.output.invoice }}" } }
`,
	"fixable.yaml": `
name: fixable
on: [orders]
when: event.type startsWith "fixable"
steps:
  - id: first
    call: recv.send
    with: { path: /ok, body: { n: "${{ payload.data.n }}" } }
  - id: second
    call: recv.send
    needs: [first]
    with: { path: "/fixable/${{ payload.data.group }}", body: { first: "${{ steps.first.output.id }}" } }
`,
	"approval.yaml": `
name: approval
on: [orders]
when: event.type == "approval"
steps:
  - id: approved
    wait_for: { signal: approved, timeout: 1h, match: signal.ok == true }
  - id: notify
    call: recv.send
    needs: [approved]
    with: { path: /ok, body: { by: "${{ steps.approved.output?.by }}" } }
on_cancel:
  - call: recv.send
    with: { path: /cancelled }
`,
	"brittle.yaml": `
name: brittle
on: [orders]
when: event.type == "mixed" && payload.data.items[3] > 1
steps:
  - id: send
    call: recv.send
    with: { path: /brittle }
on_failure:
  - call: recv.send
    with: { path: /alerts, body: { text: "brittle failed at ${{ failure.step }}" } }
`,
	"pair.yaml": `
name: pair
on: [orders]
when: event.type == "pair"
steps:
  - id: first
    call: recv.send
    with: { path: /ok, body: { n: "${{ payload.data.n }}" } }
  - id: second
    call: recv.send
    needs: [first]
    with: { path: /ok, body: { first: "${{ steps.first.output.id }}" } }
`,
	"fan.yaml": `
name: fan
on: [orders]
when: event.type == "fan"
steps:
  - { id: a, call: recv.send, with: { path: /ok } }
  - { id: b, call: recv.send, with: { path: /ok } }
  - { id: c, call: recv.send, needs: [a, b], with: { path: /ok, body: { a: "${{ steps.a.output.id }}", b: "${{ steps.b.output.id }}" } } }
`,
	"nap.yaml": `
name: nap
on: [orders]
when: event.type == "nap"
steps:
  - { id: rest, sleep: 1s }
  - id: patience
    needs: [rest]
    wait_for: { signal: never, timeout: 1s }
  - { id: after, call: recv.send, needs: [patience], if: steps.patience.timed_out, with: { path: /ok } }
`,
	"snooze.yaml": `
name: snooze
on: [orders]
when: event.type == "snooze"
steps:
  - { id: first, call: recv.send, if: payload.data.n > 0, with: { path: /ok } }
  - { id: rest, sleep: 1h, needs: [first] }
  - { id: after, call: recv.send, needs: [rest], with: { path: /ok } }
on_cancel:
  - call: recv.send
    with: { path: /cancelled }
`,
	"sturdy.yaml": `
name: sturdy
on: [orders]
when: event.type == "mixed"
steps:
  - id: send
    call: recv.send
    with: { path: /sturdy }
`,
	"deliver.yaml": `
name: deliver
on: [orders]
when: event.type == "ok"
steps:
  - id: send
    call: recv.send
    with:
      path: /ok
      body:
        email: ${{ payload.data.email }}
        n: ${{ payload.data.n }}
        note: "order ${{ payload.data.n }} for ${{ payload.data.email }}"
`,
	"flaky.yaml": `
name: flaky
on: [orders]
when: event.type == "flaky"
steps:
  - id: send
    call: recv.send
    with: { path: /flaky, body: { n: "${{ payload.data.n }}" } }
`,
	"bad.yaml": `
name: bad
on: [orders]
when: event.type == "bad"
steps:
  - id: contact
    call: recv.send
    with: { path: /bad, body: { n: "${{ payload.data.n }}" } }
  - id: never
    call: recv.send
    needs: [contact]
    with: { path: /ok }
on_failure:
  - call: recv.send
    with: { path: /alerts, body: { text: "bad failed at ${{ failure.step }}: ${{ failure.message }}" } }
`,
	"door.yaml": `
name: door
on: [door-limited, door-office, door-github]
steps:
  - id: call
    call: recv.send
    with: { path: /door, body: { trigger: "${{ event.trigger }}", id: "${{ event.id }}" } }
`,
	"oauthed.yaml": `
name: oauthed
on: [orders]
when: event.type == "oauthed"
steps:
  - id: lead
    call: sfoauth.create_record
    with: { object: Lead, fields: { LastName: "${{ payload.data.email }}" } }
  - id: deny
    call: sfoauth.create_record
    needs: [lead]
    with: { object: Deny, fields: { Note: "${{ steps.lead.output.id }}" } }
`,
	"door-slack.yaml": `
name: door-slack
on: [door-slack]
when: event.type == "/deploy"
steps:
  - id: call
    call: recv.send
    with: { path: /slack, body: { text: "${{ payload.text }}", user: "${{ payload.user_name }}" } }
`,
}

func getFixture(t *testing.T) *fixture {
	t.Helper()
	fixtureOnce.Do(func() { shared, fixtureErr = startFixture() })
	if fixtureErr != nil {
		t.Fatalf("e2e fixture: %v", fixtureErr)
	}
	return shared
}

func startFixture() (*fixture, error) {
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv, err := devserver.Start(ctx, devserver.Options{UIPort: -1, SearchAttributes: workflows.SearchAttributeTypes(), Logger: logger})
	if err != nil {
		return nil, err
	}
	rcv := newReceiver()
	dir, err := os.MkdirTemp("", "hookflow-e2e-")
	if err != nil {
		return nil, err
	}
	if err := writeProject(dir, testProject, testRules); err != nil {
		return nil, err
	}
	getenv := mapEnv(map[string]string{"ORDERS_SECRET": testSecret, "RECEIVER_URL": rcv.URL, "ADMIN_TOKEN": testAdminToken})
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	// Register the project's search attributes as an operator would.
	if err := run(ctx, []string{"setup", "--temporal", srv.Addr(), "--project", dir}, getenv, io.Discard, os.Stderr); err != nil {
		return nil, fmt.Errorf("hookflow setup: %w", err)
	}
	if err := waitSearchAttributes(ctx, srv.Addr()); err != nil {
		return nil, err
	}
	serveMetrics, err := freeAddr()
	if err != nil {
		return nil, err
	}
	workerMetrics, err := freeAddr()
	if err != nil {
		return nil, err
	}
	serveLog, workerLog := &syncBuffer{}, &syncBuffer{}
	// serve and worker, as production runs them, against the embedded server.
	go func() {
		err := run(ctx, []string{"worker", "--project", dir, "--temporal", srv.Addr(), "--log-format", "text", "--metrics", workerMetrics}, getenv, io.Discard, workerLog)
		if err != nil {
			logger.Error("worker exited", "error", err)
		}
	}()
	go func() {
		err := run(ctx, []string{"serve", "--project", dir, "--temporal", srv.Addr(), "--listen", addr, "--log-format", "text", "--metrics", serveMetrics}, getenv, io.Discard, serveLog)
		if err != nil {
			logger.Error("serve exited", "error", err)
		}
	}()
	f := &fixture{temporal: srv, hooksURL: "http://" + addr, receiver: rcv, secret: testSecret, dir: dir, serveLog: serveLog, workerLog: workerLog,
		serveMetrics: "http://" + serveMetrics + "/metrics", workerMetrics: "http://" + workerMetrics + "/metrics"}
	if err := waitReady(f.hooksURL+"/readyz", 60*time.Second); err != nil {
		return nil, err
	}
	f.client, err = client.Dial(client.Options{HostPort: srv.Addr(), Logger: quietLogger{}})
	return f, err
}

func writeProject(dir, project string, rules map[string]string) error {
	if err := os.MkdirAll(filepath.Join(dir, "rules"), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "hookflow.yaml"), []byte(project), 0o644); err != nil {
		return err
	}
	for name, body := range rules {
		if err := os.WriteFile(filepath.Join(dir, "rules", name), []byte(body), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func mapEnv(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// waitSearchAttributes waits until a start may set the project's search
// attributes: the server's attribute cache trails their registration.
func waitSearchAttributes(ctx context.Context, addr string) error {
	c, err := client.Dial(client.Options{HostPort: addr, Logger: quietLogger{}})
	if err != nil {
		return err
	}
	defer c.Close()
	deadline := time.Now().Add(30 * time.Second)
	for i := 0; ; i++ {
		run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
			ID:        fmt.Sprintf("hookflow-e2e-attribute-probe-%d", i),
			TaskQueue: "hookflow-e2e-probe",
			TypedSearchAttributes: temporal.NewSearchAttributes(
				temporal.NewSearchAttributeKeyInt64("OrderN").ValueSet(1),
				temporal.NewSearchAttributeKeyKeyword("OrderEmail").ValueSet("probe@example.com"),
			),
		}, "probe")
		if err == nil {
			return c.TerminateWorkflow(ctx, run.GetID(), run.GetRunID(), "search attributes are usable")
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("search attributes not usable after 30s: %w", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func waitReady(url string, within time.Duration) error {
	deadline := time.Now().Add(within)
	var last string
	for time.Now().Before(deadline) {
		resp, err := http.Get(url)
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Sprintf("%d %s", resp.StatusCode, body)
		} else {
			last = err.Error()
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s not ready after %s: %s", url, within, last)
}

// waitFor polls cond until it holds or the time is up.
func waitFor(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", within, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// post sends a Standard Webhooks–signed event to the orders trigger.
func (f *fixture) post(t testing.TB, id string, payload any) (*http.Response, map[string]any) {
	t.Helper()
	body, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	return f.postBytes(t, id, body)
}

// postBytes signs and posts body as it is.
func (f *fixture) postBytes(t testing.TB, id string, body []byte) (*http.Response, map[string]any) {
	t.Helper()
	resp, out, err := f.sign(id, body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, out
}

// sign signs body with the orders trigger's secret and posts it.
func (f *fixture) sign(id string, body []byte) (*http.Response, map[string]any, error) {
	url := f.hooksURL + "/hooks/orders"
	h, err := verify.Sign(verify.Config{Scheme: "standard", Secret: verify.Secrets{f.secret}}, verify.Request{Method: "POST", URL: url, Body: body}, id, time.Now())
	if err != nil {
		return nil, nil, err
	}
	return f.send(url, h, body)
}

func (f *fixture) postRaw(t testing.TB, url string, h http.Header, body []byte) (*http.Response, map[string]any) {
	t.Helper()
	resp, out, err := f.send(url, h, body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, out
}

// send posts body with headers h and decodes the JSON answer.
func (f *fixture) send(url string, h http.Header, body []byte) (*http.Response, map[string]any, error) {
	req, err := http.NewRequest("POST", url, bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	for k, v := range h {
		req.Header[k] = v
	}
	if req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	var out map[string]any
	data, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(data, &out); err != nil {
		return resp, nil, fmt.Errorf("answer is not JSON: %d %s", resp.StatusCode, data)
	}
	return resp, out, nil
}

// receiver records requests by path and answers per path:
// /flaky answers 503 twice per idempotency key, then 200; /bad answers 400; others 200 with an id.
type receiver struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []recorded
	// fixed lists the groups whose /fixable/{group} answers 200; others answer 400.
	fixed map[string]bool
	// down makes /health and /monitored answer 503.
	down bool
	// arrived is closed-over by benchmarks: idempotency key → channel told on arrival.
	arrived sync.Map
}

// setDown makes the monitored endpoint fail (true) or recover.
func (r *receiver) setDown(down bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.down = down
}

// byPath returns the requests to path.
func (r *receiver) byPath(path string) []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []recorded
	for _, x := range r.reqs {
		if x.Path == path {
			out = append(out, x)
		}
	}
	return out
}

// expect returns a channel that receives when a request with key arrives.
func (r *receiver) expect(key string) <-chan time.Time {
	ch := make(chan time.Time, 1)
	r.arrived.Store(key, ch)
	return ch
}

// fix makes /fixable/{group} succeed from now on.
func (r *receiver) fix(group string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fixed[group] = true
}

type recorded struct {
	Path   string
	Header http.Header
	Body   []byte
}

func newReceiver() *receiver {
	r := &receiver{fixed: map[string]bool{}}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.reqs = append(r.reqs, recorded{Path: req.URL.Path, Header: req.Header.Clone(), Body: body})
		seen := 0
		for _, x := range r.reqs {
			if x.Path == req.URL.Path && x.Header.Get("Idempotency-Key") == req.Header.Get("Idempotency-Key") {
				seen++
			}
		}
		if ch, ok := r.arrived.LoadAndDelete(req.Header.Get("Idempotency-Key")); ok {
			ch.(chan time.Time) <- time.Now()
		}
		n := len(r.reqs)
		group, fixable := strings.CutPrefix(req.URL.Path, "/fixable/")
		broken := fixable && !r.fixed[group]
		down := r.down && (req.URL.Path == "/health" || req.URL.Path == "/monitored")
		r.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch {
		case down:
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprint(w, `{"error":"down for maintenance"}`)
		case req.URL.Path == "/flaky" && seen <= 2:
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprint(w, `{"error":"try later"}`)
		case req.URL.Path == "/oauth/token": // e2e_oauth_test.go: a token endpoint
			fmt.Fprintf(w, `{"access_token":"CANARY-e2e-%d","token_type":"Bearer","expires_in":3600}`, n)
		case strings.HasPrefix(req.URL.Path, "/sf/") && strings.Contains(req.URL.Path, "/sobjects/Deny/"):
			// A vendor that echoes the token in its error text.
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `[{"message":"token %s may not create Deny","errorCode":"INSUFFICIENT_ACCESS"}]`, req.Header.Get("Authorization"))
		case strings.HasPrefix(req.URL.Path, "/sf/"):
			w.WriteHeader(http.StatusCreated)
			fmt.Fprintf(w, `{"id":"001e2e","success":true,"errors":[],"echo":%q}`, req.Header.Get("Authorization"))
		case req.URL.Path == "/bad" || broken:
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"error":"email is invalid"}`)
		default:
			fmt.Fprintf(w, `{"id":"rcv-%d","ok":true}`, seen)
		}
	}))
	return r
}

// byKey returns the requests carrying an idempotency key with the given prefix.
func (r *receiver) byKey(prefix string) []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []recorded
	for _, x := range r.reqs {
		if strings.HasPrefix(x.Header.Get("Idempotency-Key"), prefix) {
			out = append(out, x)
		}
	}
	return out
}

type quietLogger struct{}

func (quietLogger) Debug(string, ...any) {}
func (quietLogger) Info(string, ...any)  {}
func (quietLogger) Warn(string, ...any)  {}
func (quietLogger) Error(string, ...any) {}
