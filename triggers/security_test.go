package triggers

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/triggers/verify"
)

// The front door's low-severity findings of the security review, each
// through the real handler.

func TestUnknownTriggerNamesNone(t *testing.T) {
	set, err := loadYAML(t, doorProject)
	if err != nil {
		t.Fatal(err)
	}
	for _, list := range []bool{false, true} {
		srv := NewServer(Deps{Triggers: set, Starter: &safeStarter{}, ListTriggers: list})
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, httptest.NewRequest("POST", "/hooks/nope", strings.NewReader(`{}`)))
		listed := strings.Contains(w.Body.String(), "office")
		if w.Code != 404 || !strings.Contains(w.Body.String(), `unknown trigger \"nope\"`) || listed != list {
			t.Errorf("ListTriggers %v: %d %s", list, w.Code, w.Body)
		}
	}
}

// A browser can POST to any URL from any page; an unsigned trigger must not
// take such requests, nor a body whose type a browser sends without asking.
func TestNoneTriggerRefusesBrowserRequests(t *testing.T) {
	for _, tc := range []struct {
		name    string
		ctype   string
		headers map[string]string
		status  int
	}{
		{"server to server", "application/json", nil, 202},
		{"no content type", "", nil, 415},
		{"text/plain (a simple request)", "text/plain", nil, 400},
		{"cross-site fetch", "application/json", map[string]string{"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors"}, 403},
		{"same-site fetch", "application/json", map[string]string{"Sec-Fetch-Site": "same-site"}, 403},
		{"origin header", "application/json", map[string]string{"Origin": "https://evil.example"}, 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newDoor(t)
			r := httptest.NewRequest("POST", "http://hooks.example/hooks/limited", strings.NewReader(`{"n":1}`))
			if tc.ctype != "" {
				r.Header.Set("Content-Type", tc.ctype)
			}
			for k, v := range tc.headers {
				r.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			d.srv.ServeHTTP(w, r)
			if w.Code != tc.status {
				t.Fatalf("got %d %s, want %d", w.Code, w.Body, tc.status)
			}
			if tc.status != 202 && d.st.count() != 0 {
				t.Fatal("a refused request started a run")
			}
		})
	}
	// Signed triggers keep reading a body without a Content-Type.
	d := newDoor(t)
	if w := d.do(t, "std", stdCfg, "msg_1", "", `{"type":"a"}`, ""); w.Code != 202 {
		t.Fatalf("signed trigger without Content-Type: %d %s", w.Code, w.Body)
	}
}

// A 1 MB body of 100,000 failing items answered with a 33 MB 422; the
// answer is now capped.
func TestSchemaErrorsAreCapped(t *testing.T) {
	set, err := loadYAML(t, "items:\n  verify: {scheme: bearer, secret: tok}\n  schema:\n    \"items[*].sku\": required,alphanum\n")
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(Deps{Triggers: set, Starter: &safeStarter{}})
	var b strings.Builder
	b.WriteString(`{"items":[`)
	for i := range 60_000 {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"sku":"` + strings.Repeat("é", 3) + `"}`)
	}
	b.WriteString(`]}`)
	r := httptest.NewRequest("POST", "/hooks/items", strings.NewReader(b.String()))
	r.Header.Set("Authorization", "Bearer tok")
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, r)
	if w.Code != 422 {
		t.Fatalf("got %d %.300s", w.Code, w.Body)
	}
	if w.Body.Len() > 32<<10 || !strings.Contains(w.Body.String(), "60000 field(s)") || !strings.Contains(w.Body.String(), "the first 50") {
		t.Fatalf("422 of %d bytes: %.300s", w.Body.Len(), w.Body)
	}
}

// Credentials in inbound headers never enter the event (and so history).
func TestEventHeadersDropCredentials(t *testing.T) {
	d := newDoor(t)
	r := httptest.NewRequest("POST", "http://hooks.example/hooks/limited", strings.NewReader(`{"n":1}`))
	r.Header.Set("Content-Type", "application/json")
	for _, h := range []string{"X-Webhook-Secret", "Api-Key", "X-Auth", "X-Api-Token", "Cookie", "X-Session-Id", "X-Hmac-Sha256", "Proxy-Authorization", "X-Password"} {
		r.Header.Set(h, "canary-"+h)
	}
	r.Header.Set("X-Request-Source", "shop")
	w := httptest.NewRecorder()
	d.srv.ServeHTTP(w, r)
	if w.Code != 202 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	got := d.st.calls[0].Event.Headers
	for k, v := range got {
		if strings.HasPrefix(v, "canary-") {
			t.Errorf("header %s reached the event", k)
		}
	}
	if got["x-request-source"] != "shop" {
		t.Errorf("ordinary header dropped: %v", got)
	}
}

// Svix sends the Standard Webhooks headers as svix-*; its svix-id is the
// event id, so two messages with the same body are two events.
func TestStandardSvixIDIsEventID(t *testing.T) {
	d := newDoor(t)
	for _, id := range []string{"msg_a", "msg_b"} {
		body := `{"type":"invoice.paid"}`
		h, err := verify.Sign(stdCfg, verify.Request{Method: "POST", URL: "http://hooks.example/hooks/std", Body: []byte(body)}, id, d.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		r := httptest.NewRequest("POST", "http://hooks.example/hooks/std", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		for k, v := range h {
			r.Header["Svix-"+strings.TrimPrefix(http.CanonicalHeaderKey(k), "Webhook-")] = v
		}
		w := httptest.NewRecorder()
		d.srv.ServeHTTP(w, r)
		if want := fmt.Sprintf(`"workflow_id":"std/%s"`, id); w.Code != 202 || !strings.Contains(w.Body.String(), want) {
			t.Fatalf("%s: %d %s, want %s", id, w.Code, w.Body, want)
		}
	}
	if d.st.count() != 2 {
		t.Fatalf("%d runs, want 2", d.st.count())
	}
}

// Bodies one trigger's senders post cannot push another trigger's out of
// the replay memory.
func TestDedupeBoundedPerTrigger(t *testing.T) {
	now := time.Unix(1700000000, 0)
	c := newDedupeCache(2, func() time.Time { return now })
	start := func(trigger, body string) (Started, bool) {
		s, replayed, err := c.do(context.Background(), bodyKey(trigger, []byte(body)), time.Hour, func() (Started, error) {
			return Started{WorkflowID: trigger + "/" + body}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return s, replayed
	}
	start("b", "captured")
	for i := range 10 {
		start("a", fmt.Sprint("flood-", i))
	}
	if s, replayed := start("b", "captured"); !replayed || s.WorkflowID != "b/captured" {
		t.Fatalf("trigger b's body was flushed by trigger a's: %+v replayed=%v", s, replayed)
	}
	if _, replayed := start("a", "flood-0"); replayed {
		t.Fatal("trigger a kept more than its capacity")
	}
}

var _ = slog.New
