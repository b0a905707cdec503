package triggers

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/triggers/verify"
	"github.com/hookflow/hookflow/workflows"
)

// BenchmarkAdmit measures the whole door for one 2 KB webhook — routing,
// allow_ips, rate limit, body read, signature, decoding, schema, event id and
// type, body dedupe, the 202 answer — with a Starter that does nothing, so
// the Temporal start is the only cost left out.
//
//	go test ./triggers -run '^$' -bench BenchmarkAdmit -benchmem
func BenchmarkAdmit(b *testing.B) {
	const project = `
std:
  verify: {scheme: standard, secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}
  rate_limit: 1000000/s
  allow_ips: [127.0.0.0/8]
  schema:
    type: required
    data.id: required,numeric
    data.email: required,email
    data.items[*].sku: required
gh:
  verify: {scheme: github, secret: gh-secret}
  schema:
    action: required
    data.items[*].sku: required
slack:
  verify: {scheme: slack, secret: slack-secret}
  body: form
  event_type: payload.command
  schema:
    command: required
    user_id: required
`
	set, err := loadYAML(b, project)
	if err != nil {
		b.Fatal(err)
	}
	jsonBody := benchJSON(`"type":"order.paid","action":"opened",`)
	formBody := benchForm()
	fixed := time.Unix(1700000000, 0)
	cases := []struct {
		name, trigger, ctype string
		cfg                  verify.Config
		body                 []byte
		now                  func() time.Time
	}{
		{"standard-json", "std", "application/json", verify.Config{Scheme: "standard", Secret: verify.Secrets{"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}}, jsonBody, func() time.Time { return fixed }},
		// Every call of the clock moves a day on, so each request finds its
		// body's entry expired: the dedupe miss path, hash and store included.
		{"github-json-dedupe-miss", "gh", "application/json", verify.Config{Scheme: "github", Secret: verify.Secrets{"gh-secret"}}, jsonBody, steppingClock(fixed, 25*time.Hour)},
		{"github-json-replayed", "gh", "application/json", verify.Config{Scheme: "github", Secret: verify.Secrets{"gh-secret"}}, jsonBody, func() time.Time { return fixed }},
		{"slack-form", "slack", formType, verify.Config{Scheme: "slack", Secret: verify.Secrets{"slack-secret"}}, formBody, func() time.Time { return fixed }},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			srv := NewServer(Deps{Triggers: set, Starter: nopStarter{}, Now: tc.now})
			u := "http://127.0.0.1:8080/hooks/" + tc.trigger
			h, err := verify.Sign(tc.cfg, verify.Request{Method: "POST", URL: u, Body: tc.body}, "msg_bench", fixed)
			if err != nil {
				b.Fatal(err)
			}
			h.Set("Content-Type", tc.ctype)
			h.Set("X-GitHub-Event", "issues")
			r, _ := http.NewRequest("POST", u, nil)
			r.Header, r.RemoteAddr, r.RequestURI = h, "127.0.0.1:50000", "/hooks/"+tc.trigger
			w := &discardWriter{h: http.Header{}}
			rd := bytes.NewReader(tc.body)
			b.SetBytes(int64(len(tc.body)))
			b.ReportAllocs()
			for b.Loop() {
				rd.Reset(tc.body)
				r.Body = io.NopCloser(rd)
				clear(w.h)
				w.code = 0
				srv.ServeHTTP(w, r)
				if w.code != http.StatusAccepted {
					b.Fatalf("status %d", w.code)
				}
			}
		})
	}
}

type nopStarter struct{}

func (nopStarter) Start(_ context.Context, in workflows.Input) (Started, error) {
	return Started{WorkflowID: WorkflowID(in.Event.Event.Trigger, in.Event.Event.ID), RunID: "0193c4a2-run"}, nil
}

type discardWriter struct {
	h    http.Header
	code int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(code int)        { w.code = code }

func steppingClock(start time.Time, step time.Duration) func() time.Time {
	t := start
	return func() time.Time { t = t.Add(step); return t }
}

// benchJSON is an order-like JSON document of exactly 2048 bytes.
func benchJSON(head string) []byte {
	var items []string
	for i := range 12 {
		items = append(items, fmt.Sprintf(`{"sku":"SKU-%04d","title":"Item number %d","quantity":%d,"price":"%d.99"}`, i, i, i%3+1, 10+i))
	}
	doc := `{` + head + `"data":{"id":820982911946154508,"email":"jon@example.com","items":[` + strings.Join(items, ",") + `]},"pad":"`
	return []byte(doc + strings.Repeat("x", 2048-len(doc)-2) + `"}`)
}

// benchForm is a Slack-style slash command body of exactly 2048 bytes.
func benchForm() []byte {
	v := url.Values{"command": {"/deploy"}, "user_id": {"U2CERLKJA"}, "team_id": {"T1DC2JH3J"},
		"response_url": {"https://hooks.slack.com/commands/T1DC2JH3J/397700885554/96rGlfmibIGlgcZRskXaIFfN"}}
	s := v.Encode() + "&text="
	return []byte(s + strings.Repeat("a", 2048-len(s)))
}
