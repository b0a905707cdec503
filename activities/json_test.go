package activities

import (
	"encoding/json"
	"testing"

	"github.com/hookflow/hookflow/integrations"
)

// recordedResult is a CallStep result as history records it: the request
// and response for people, the output for the next steps.
func recordedResult(tb testing.TB) []byte {
	tb.Helper()
	res := StepResult{Result: integrations.Result{
		Request: integrations.RecordedRequest{
			Method: "POST", URL: "http://127.0.0.1:28090/crm/contacts",
			Headers: map[string]string{"Idempotency-Key": "orders/evt-1/two/contact", "User-Agent": "hookflow", "Content-Type": "application/json"},
			Body:    `{"email":"a@example.com","order":9007199254740993,"lines":[{"sku":"A-1","qty":2},{"sku":"B-7","qty":1}]}`,
		},
		Response: &integrations.RecordedResponse{
			Status:  200,
			Headers: map[string]string{"Content-Type": "application/json", "Content-Length": "61", "Date": "Tue, 01 Dec 2026 07:00:00 GMT"},
			Body:    `{"id":9007199254740993,"ok":true,"contact":{"email":"a@example.com"}}`,
		},
	}}
	out, err := exact(json.RawMessage(res.Response.Body))
	if err != nil {
		tb.Fatal(err)
	}
	res.Output = out
	data, err := json.Marshal(res)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

func TestStepOutcomeReadsOutputAndPendingExactly(t *testing.T) {
	var o StepOutcome
	if err := json.Unmarshal(recordedResult(t), &o); err != nil {
		t.Fatal(err)
	}
	m, _ := o.Output.(map[string]any)
	if id, _ := m["id"].(int64); id != 9007199254740993 {
		t.Fatalf("output id %#v, want 9007199254740993 exactly", m["id"])
	}
	if o.Pending != nil {
		t.Fatalf("pending %+v, want none", o.Pending)
	}

	pending := `{"request":{"method":"POST","url":"u"},"pending":{"reason":"retry","message":"503","retry_after":1000000000,"input":{"n":9007199254740993}}}`
	if err := json.Unmarshal([]byte(pending), &o); err != nil {
		t.Fatal(err)
	}
	if o.Output != nil || o.Pending == nil || o.Pending.Reason != PendingRetry || o.Pending.RetryAfter != 1e9 {
		t.Fatalf("outcome %+v", o)
	}
	if n, _ := o.Pending.Input["n"].(int64); n != 9007199254740993 {
		t.Fatalf("pending input n %#v, want 9007199254740993 exactly", o.Pending.Input["n"])
	}
}

// BenchmarkDecodeStepResult decodes a recorded call as workflow code once
// did (all of it) and as it does (its outcome).
//
//	go test ./activities -run '^$' -bench DecodeStepResult -benchmem -count 5
func BenchmarkDecodeStepResult(b *testing.B) {
	data := recordedResult(b)
	for name, into := range map[string]func() any{
		"whole":   func() any { return new(StepResult) },
		"outcome": func() any { return new(StepOutcome) },
	} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := json.Unmarshal(data, into()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
