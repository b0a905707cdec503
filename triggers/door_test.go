package triggers

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookflow/hookflow/triggers/verify"
	"github.com/hookflow/hookflow/workflows"
)

// The hardened front door: allow_ips, rate_limit, content types and form
// bodies, and body-hash dedupe, through the real handler with a fake Starter.

const doorProject = `
office:
  verify: {scheme: bearer, secret: tok}
  allow_ips: [192.0.2.0/24, 2001:db8::1]
limited:
  verify: {scheme: none}
  rate_limit: 2/s
  burst: 2
hourly:
  verify: {scheme: none}
  rate_limit: 90/h
slack:
  verify: {scheme: slack, secret: slack-secret}
  body: form
  event_type: payload.command
  schema:
    command: required
gh:
  verify: {scheme: github, secret: gh-secret}
gh-nodedupe:
  verify: {scheme: github, secret: gh-secret}
  dedupe_window: 0
std:
  verify: {scheme: standard, secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}
guarded:
  verify: {scheme: bearer, secret: tok}
  rate_limit: 2/s
  burst: 2
`

// safeStarter is a concurrency-safe fake Starter that gives each start its own run id.
type safeStarter struct {
	mu    sync.Mutex
	calls []workflows.Input
	gate  chan struct{} // when set, Start waits for it
}

func (f *safeStarter) Start(ctx context.Context, in workflows.Input) (Started, error) {
	if f.gate != nil {
		<-f.gate
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, in)
	return Started{WorkflowID: WorkflowID(in.Event.Event.Trigger, in.Event.Event.ID), RunID: fmt.Sprintf("run-%d", len(f.calls))}, nil
}

func (f *safeStarter) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

type door struct {
	srv   http.Handler
	st    *safeStarter
	clock *clock
	log   *bytes.Buffer
}

func newDoor(t *testing.T) *door {
	t.Helper()
	set, err := loadYAML(t, doorProject)
	if err != nil {
		t.Fatal(err)
	}
	d := &door{st: &safeStarter{}, clock: &clock{t: time.Unix(1700000000, 0)}, log: &bytes.Buffer{}}
	d.srv = NewServer(Deps{Triggers: set, Starter: d.st, Now: d.clock.Now, Logger: slog.New(slog.NewTextHandler(d.log, nil))})
	return d
}

// do posts body to trigger, signed with cfg (zero Scheme: unsigned), from remote.
func (d *door) do(t *testing.T, trigger string, cfg verify.Config, id, contentType, body, remote string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest("POST", "http://hooks.example/hooks/"+trigger, strings.NewReader(body))
	if remote != "" {
		r.RemoteAddr = remote
	}
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	if cfg.Scheme != "" {
		h, err := verify.Sign(cfg, verify.Request{Method: "POST", URL: "http://hooks.example/hooks/" + trigger, Body: []byte(body)}, id, d.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range h {
			r.Header[k] = v
		}
	}
	w := httptest.NewRecorder()
	d.srv.ServeHTTP(w, r)
	return w
}

var (
	bearerCfg = verify.Config{Scheme: "bearer", Secret: verify.Secrets{"tok"}}
	slackCfg  = verify.Config{Scheme: "slack", Secret: verify.Secrets{"slack-secret"}}
	ghCfg     = verify.Config{Scheme: "github", Secret: verify.Secrets{"gh-secret"}}
	stdCfg    = verify.Config{Scheme: "standard", Secret: verify.Secrets{"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}}
	noneCfg   = verify.Config{}
)

func TestDoorAllowIPs(t *testing.T) {
	cases := []struct {
		remote string
		status int
	}{
		{"192.0.2.77:4242", 202},
		{"[2001:db8::1]:4242", 202},
		{"[::ffff:192.0.2.9]:4242", 202},
		{"127.0.0.1:4242", 403},
		{"[2001:db8::2]:4242", 403},
		{"not-an-address", 403},
	}
	for _, tc := range cases {
		t.Run(tc.remote, func(t *testing.T) {
			d := newDoor(t)
			w := d.do(t, "office", bearerCfg, "", "application/json", `{"n":1}`, tc.remote)
			if w.Code != tc.status {
				t.Fatalf("got %d %s, want %d", w.Code, w.Body, tc.status)
			}
			if tc.status == 403 {
				if !strings.Contains(w.Body.String(), "allow_ips") || d.st.count() != 0 {
					t.Fatalf("403 body %s, %d start(s)", w.Body, d.st.count())
				}
			}
		})
	}
	t.Run("forwarded-for is not trusted", func(t *testing.T) {
		d := newDoor(t)
		r := httptest.NewRequest("POST", "/hooks/office", strings.NewReader(`{}`))
		r.RemoteAddr = "198.51.100.1:1"
		r.Header.Set("X-Forwarded-For", "192.0.2.1")
		r.Header.Set("Authorization", "Bearer tok")
		w := httptest.NewRecorder()
		d.srv.ServeHTTP(w, r)
		if w.Code != 403 {
			t.Fatalf("got %d %s, want 403", w.Code, w.Body)
		}
	})
	t.Run("checked before the body is read or verified", func(t *testing.T) {
		d := newDoor(t)
		w := d.do(t, "office", noneCfg, "", "application/json", strings.Repeat("x", 2<<20), "127.0.0.1:1")
		if w.Code != 403 {
			t.Fatalf("got %d %s, want 403 (not 413 or 401)", w.Code, w.Body)
		}
	})
}

func TestDoorRateLimit(t *testing.T) {
	d := newDoor(t)
	post := func() *httptest.ResponseRecorder {
		return d.do(t, "limited", noneCfg, "", "application/json", fmt.Sprintf(`{"n":%d}`, time.Now().UnixNano()), "")
	}
	for i := range 2 {
		if w := post(); w.Code != 202 {
			t.Fatalf("request %d within the burst: %d %s", i+1, w.Code, w.Body)
		}
	}
	w := post()
	if w.Code != 429 || w.Header().Get("Retry-After") != "1" || !strings.Contains(w.Body.String(), "rate_limit of 2/s") {
		t.Fatalf("over the limit: %d Retry-After %q %s", w.Code, w.Header().Get("Retry-After"), w.Body)
	}
	if d.st.count() != 2 {
		t.Fatalf("%d starts, want 2", d.st.count())
	}
	// A refused request spends no token: half a second later one is free.
	d.clock.Advance(500 * time.Millisecond)
	if w := post(); w.Code != 202 {
		t.Fatalf("after refill: %d %s", w.Code, w.Body)
	}
	if w := post(); w.Code != 429 {
		t.Fatalf("bucket should be empty again: %d", w.Code)
	}

	// 90/h: burst defaults to 1; the next token is 40 s away.
	if w := d.do(t, "hourly", noneCfg, "", "application/json", `{"a":1}`, ""); w.Code != 202 {
		t.Fatalf("hourly first: %d %s", w.Code, w.Body)
	}
	d.clock.Advance(time.Second)
	w = d.do(t, "hourly", noneCfg, "", "application/json", `{"a":2}`, "")
	if w.Code != 429 || w.Header().Get("Retry-After") != "39" {
		t.Fatalf("hourly second: %d Retry-After %q", w.Code, w.Header().Get("Retry-After"))
	}
}

// Requests that fail verification do not spend rate_limit: an attacker
// without the secret cannot make the sender's own deliveries 429.
func TestDoorBadSignaturesDoNotDrainRateLimit(t *testing.T) {
	d := newDoor(t)
	wrong := verify.Config{Scheme: "bearer", Secret: verify.Secrets{"not-the-secret"}}
	for i := range 10 {
		w := d.do(t, "guarded", wrong, "", "application/json", fmt.Sprintf(`{"n":%d}`, i), "198.51.100.9:1")
		if w.Code != 401 {
			t.Fatalf("bad signature %d: %d %s", i+1, w.Code, w.Body)
		}
	}
	for i := range 2 {
		if w := d.do(t, "guarded", bearerCfg, "", "application/json", fmt.Sprintf(`{"ok":%d}`, i), "192.0.2.1:1"); w.Code != 202 {
			t.Fatalf("verified delivery %d after the bad ones: %d %s", i+1, w.Code, w.Body)
		}
	}
	// Verified requests do count.
	if w := d.do(t, "guarded", bearerCfg, "", "application/json", `{"ok":3}`, "192.0.2.1:1"); w.Code != 429 {
		t.Fatalf("third verified request in a second: %d, want 429", w.Code)
	}
}

// Unverified traffic is bounded per source address, before the body is read
// or verified, and one address's failures do not hold back another's.
func TestDoorUnverifiedTrafficBoundedPerAddress(t *testing.T) {
	d := newDoor(t)
	wrong := verify.Config{Scheme: "bearer", Secret: verify.Secrets{"nope"}}
	for i := range unverifiedBurst {
		if w := d.do(t, "office", wrong, "", "application/json", `{}`, "192.0.2.66:1"); w.Code != 401 {
			t.Fatalf("failure %d: %d %s", i+1, w.Code, w.Body)
		}
	}
	w := d.do(t, "office", wrong, "", "application/json", strings.Repeat("x", 2<<20), "192.0.2.66:2")
	if w.Code != 429 || w.Header().Get("Retry-After") == "" || !strings.Contains(w.Body.String(), "failed verification") {
		t.Fatalf("over the unverified bound: %d Retry-After %q %s (want 429 before the body is read)", w.Code, w.Header().Get("Retry-After"), w.Body)
	}
	// Even the right secret waits: the address is bounded, not the secret.
	if w := d.do(t, "office", bearerCfg, "", "application/json", `{}`, "192.0.2.66:3"); w.Code != 429 {
		t.Fatalf("same address, right secret: %d", w.Code)
	}
	if w := d.do(t, "office", bearerCfg, "", "application/json", `{}`, "192.0.2.67:1"); w.Code != 202 {
		t.Fatalf("another address: %d %s", w.Code, w.Body)
	}
	d.clock.Advance(unverifiedEvery)
	if w := d.do(t, "office", bearerCfg, "", "application/json", `{"n":2}`, "192.0.2.66:4"); w.Code != 202 {
		t.Fatalf("after a refill: %d %s", w.Code, w.Body)
	}
}

func TestDoorContentTypes(t *testing.T) {
	form := "command=%2Fdeploy&text=api+v2&user_name=ada"
	cases := []struct {
		name, trigger, ctype, body string
		cfg                        verify.Config
		status                     int
		says                       string
	}{
		{"json", "std", "application/json", `{"type":"a"}`, stdCfg, 202, ""},
		{"json with charset", "std", "application/json; charset=utf-8", `{"type":"a"}`, stdCfg, 202, ""},
		{"vendor +json", "std", "application/vnd.acme.event+json", `{"type":"a"}`, stdCfg, 202, ""},
		{"no content type is json", "std", "", `{"type":"a"}`, stdCfg, 202, ""},
		{"form to a json trigger", "std", formType, "a=1", stdCfg, 400, "set `body: form`"},
		{"text to a json trigger", "std", "text/plain", `{"type":"a"}`, stdCfg, 400, "send application/json"},
		{"unparseable content type", "std", "/;;", `{"type":"a"}`, stdCfg, 400, "cannot be parsed"},
		{"form", "slack", formType, form, slackCfg, 202, ""},
		{"form with charset", "slack", formType + "; charset=utf-8", form, slackCfg, 202, ""},
		{"no content type is form", "slack", "", form, slackCfg, 202, ""},
		{"json to a form trigger", "slack", "application/json", `{"command":"/x"}`, slackCfg, 400, "reads form-encoded bodies"},
		{"bad form encoding", "slack", formType, "command=%zz", slackCfg, 400, "not valid form encoding"},
		{"empty form", "slack", formType, "", slackCfg, 400, "empty"},
		{"form fails schema", "slack", formType, "text=hi", slackCfg, 422, "schema"},
		{"bad signature before content type", "slack", "text/plain", form, verify.Config{Scheme: "slack", Secret: verify.Secrets{"wrong"}}, 401, "signature"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := newDoor(t)
			w := d.do(t, tc.trigger, tc.cfg, "msg_"+strings.ReplaceAll(tc.name, " ", "-"), tc.ctype, tc.body, "")
			if w.Code != tc.status || !strings.Contains(w.Body.String(), tc.says) {
				t.Fatalf("got %d %s, want %d containing %q", w.Code, w.Body, tc.status, tc.says)
			}
			if want := map[bool]int{true: 1, false: 0}[tc.status == 202]; d.st.count() != want {
				t.Fatalf("%d start(s), want %d", d.st.count(), want)
			}
		})
	}
}

func TestDoorFormPayload(t *testing.T) {
	d := newDoor(t)
	body := "command=%2Fdeploy&text=api+v2&text=ignored&user_name=ada&payload=%7B%22type%22%3A%22block_actions%22%2C%22n%22%3A12345678901234567%7D"
	if w := d.do(t, "slack", slackCfg, "", formType, body, ""); w.Code != 202 {
		t.Fatalf("got %d %s", w.Code, w.Body)
	}
	in := d.st.calls[0].Event
	p := in.Payload.(map[string]any)
	if p["command"] != "/deploy" || p["text"] != "api v2" || p["user_name"] != "ada" {
		t.Errorf("payload %v: want first values, unescaped", p)
	}
	inner, ok := p["payload"].(map[string]any)
	if !ok || inner["type"] != "block_actions" || inner["n"] != int64(12345678901234567) {
		t.Errorf("payload.payload = %#v, want the decoded JSON object", p["payload"])
	}
	if in.Event.Type != "/deploy" {
		t.Errorf("event type %q, want the event_type expression over the form payload", in.Event.Type)
	}
}

func TestDoorBodyReplay(t *testing.T) {
	body := `{"action":"opened","issue":{"number":7}}`
	t.Run("new delivery id, same body: the original run, nothing started", func(t *testing.T) {
		d := newDoor(t)
		first := d.do(t, "gh", ghCfg, "d-1", "application/json", body, "")
		if first.Code != 202 || !strings.Contains(first.Body.String(), `"workflow_id":"gh/d-1","run_id":"run-1","duplicate":false`) {
			t.Fatalf("first: %d %s", first.Code, first.Body)
		}
		again := d.do(t, "gh", ghCfg, "d-2", "application/json", body, "")
		if again.Code != 202 || !strings.Contains(again.Body.String(), `"workflow_id":"gh/d-1","run_id":"run-1","duplicate":true`) {
			t.Fatalf("replay: %d %s", again.Code, again.Body)
		}
		if d.st.count() != 1 {
			t.Fatalf("%d starts, want 1", d.st.count())
		}
		if other := d.do(t, "gh", ghCfg, "d-3", "application/json", `{"action":"closed"}`, ""); other.Code != 202 || d.st.count() != 2 {
			t.Fatalf("a different body must start: %d %s, %d starts", other.Code, other.Body, d.st.count())
		}
	})
	t.Run("window expires", func(t *testing.T) {
		d := newDoor(t)
		d.do(t, "gh", ghCfg, "d-1", "", body, "")
		d.clock.Advance(DefaultDedupeWindow)
		if w := d.do(t, "gh", ghCfg, "d-2", "", body, ""); !strings.Contains(w.Body.String(), `"workflow_id":"gh/d-2"`) || d.st.count() != 2 {
			t.Fatalf("after the window: %s, %d starts", w.Body, d.st.count())
		}
	})
	t.Run("dedupe_window 0 disables", func(t *testing.T) {
		d := newDoor(t)
		d.do(t, "gh-nodedupe", ghCfg, "d-1", "", body, "")
		d.do(t, "gh-nodedupe", ghCfg, "d-2", "", body, "")
		if d.st.count() != 2 {
			t.Fatalf("%d starts, want 2", d.st.count())
		}
	})
	t.Run("schemes that sign a timestamp do not dedupe by body", func(t *testing.T) {
		d := newDoor(t)
		d.do(t, "std", stdCfg, "msg_1", "", `{"type":"a"}`, "")
		d.do(t, "std", stdCfg, "msg_2", "", `{"type":"a"}`, "")
		if d.st.count() != 2 {
			t.Fatalf("%d starts, want 2", d.st.count())
		}
	})
	t.Run("concurrent replays start one run", func(t *testing.T) {
		d := newDoor(t)
		d.st.gate = make(chan struct{})
		var wg sync.WaitGroup
		codes := make([]string, 8)
		for i := range codes {
			wg.Go(func() {
				codes[i] = d.do(t, "gh", ghCfg, fmt.Sprintf("c-%d", i), "", body, "").Body.String()
			})
		}
		close(d.st.gate)
		wg.Wait()
		if d.st.count() != 1 {
			t.Fatalf("%d starts, want 1", d.st.count())
		}
		fresh := 0
		for _, c := range codes {
			if strings.Contains(c, `"duplicate":false`) {
				fresh++
			}
			if !strings.Contains(c, `"run_id":"run-1"`) {
				t.Errorf("answer %s, want run-1", c)
			}
		}
		if fresh != 1 {
			t.Fatalf("%d answers said new, want 1", fresh)
		}
	})
}

func TestDoorRejectedStartIsNotRemembered(t *testing.T) {
	set, err := loadYAML(t, doorProject)
	if err != nil {
		t.Fatal(err)
	}
	st := &fakeStarter{err: errUnavailable{cause: fmt.Errorf("down")}}
	srv := NewServer(Deps{Triggers: set, Starter: st})
	post := func(id string) int {
		body := `{"action":"opened"}`
		h, _ := verify.Sign(ghCfg, verify.Request{Body: []byte(body)}, id, time.Now())
		r := httptest.NewRequest("POST", "/hooks/gh", strings.NewReader(body))
		for k, v := range h {
			r.Header[k] = v
		}
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)
		return w.Code
	}
	if c := post("d-1"); c != 503 {
		t.Fatalf("got %d, want 503", c)
	}
	st.err = nil
	if c := post("d-2"); c != 202 || len(st.calls) != 2 {
		t.Fatalf("the retry after a failed start: %d, %d start calls; want 202 and a real start", c, len(st.calls))
	}
}

func TestDoorWarnsAboutUnverifiedTriggers(t *testing.T) {
	d := newDoor(t)
	for _, name := range []string{"limited", "hourly"} {
		if !strings.Contains(d.log.String(), "level=WARN msg=\"trigger accepts unsigned requests") || !strings.Contains(d.log.String(), "trigger="+name) {
			t.Fatalf("log %q lacks the warning for %s", d.log, name)
		}
	}
	if strings.Contains(d.log.String(), "trigger=gh") {
		t.Fatalf("warned about a verified trigger: %s", d.log)
	}
}

func TestDoorSlackURLVerification(t *testing.T) {
	const project = `
events:
  verify: {scheme: slack, secret: slack-secret}
other:
  verify: {scheme: none}
`
	set, err := loadYAML(t, project)
	if err != nil {
		t.Fatal(err)
	}
	st := &safeStarter{}
	now := time.Unix(1700000000, 0)
	srv := NewServer(Deps{Triggers: set, Starter: st, Now: func() time.Time { return now }})
	body := `{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`
	post := func(trigger string, cfg verify.Config) *httptest.ResponseRecorder {
		r := httptest.NewRequest("POST", "/hooks/"+trigger, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		if cfg.Scheme != "" {
			h, _ := verify.Sign(cfg, verify.Request{Body: []byte(body)}, "", now)
			for k, v := range h {
				r.Header[k] = v
			}
		}
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)
		return w
	}
	if w := post("events", slackCfg); w.Code != 200 || w.Body.String() != `{"challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}`+"\n" || st.count() != 0 {
		t.Fatalf("handshake: %d %s, %d start(s)", w.Code, w.Body, st.count())
	}
	if w := post("events", verify.Config{Scheme: "slack", Secret: verify.Secrets{"wrong"}}); w.Code != 401 {
		t.Fatalf("unsigned handshake: %d, want 401", w.Code)
	}
	if w := post("other", noneCfg); w.Code != 202 || st.count() != 1 {
		t.Fatalf("other schemes treat it as an event: %d", w.Code)
	}
}
