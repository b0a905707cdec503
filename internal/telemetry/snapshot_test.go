package telemetry

import (
	"math"
	"testing"
	"time"
)

func TestSnapshotReadsWhatWasRecorded(t *testing.T) {
	m := New()
	m.WebhookReceived("orders", 202)
	m.WebhookReceived("orders", 202)
	m.WebhookReceived("orders", 401)
	m.RunStarted("orders", true)
	m.StepCall("crm", "upsert_contact", OutcomeSuccess, 1, 20*time.Millisecond)
	m.StepCall("crm", "add_note", OutcomeSuccess, 1, 40*time.Millisecond)
	m.StepCall("crm", "add_note", OutcomeRetryable, 2, 3*time.Second)
	m.SDKHandler().WithTags(map[string]string{"status": "failed"}).Counter(RunsFinished).Inc(1)

	s := m.Snapshot()
	check := func(what string, got, want float64) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %g, want %g", what, got, want)
		}
	}
	check("webhooks orders 202", s.Webhooks[WebhookKey{"orders", 202}], 2)
	check("webhooks orders 401", s.Webhooks[WebhookKey{"orders", 401}], 1)
	check("duplicates orders", s.Duplicates["orders"], 1)
	check("crm success (two operations)", s.Calls[CallKey{"crm", OutcomeSuccess}], 2)
	check("crm retryable", s.Calls[CallKey{"crm", OutcomeRetryable}], 1)
	check("crm retries", s.Retries["crm"], 1)
	check("runs failed", s.RunsFinished["failed"], 1)
	h := s.Latency["crm"]
	if h.Count != 3 || math.Abs(h.Sum-3.06) > 1e-9 {
		t.Errorf("crm latency count %d sum %g, want 3 and 3.06", h.Count, h.Sum)
	}
	// le=0.025 holds the 20ms call, le=0.05 both fast ones, le=5 all three.
	for i, b := range h.Bounds {
		want := map[float64]uint64{0.025: 1, 0.05: 2, 5: 3}[b]
		if _, ok := map[float64]uint64{0.025: 1, 0.05: 2, 5: 3}[b]; ok && h.Counts[i] != want {
			t.Errorf("bucket le=%g holds %d, want %d", b, h.Counts[i], want)
		}
	}
	var nilMetrics *Metrics
	if s := nilMetrics.Snapshot(); len(s.Webhooks) != 0 {
		t.Errorf("nil Metrics snapshot has %v", s.Webhooks)
	}
}

func TestSnapshotSub(t *testing.T) {
	m := New()
	m.WebhookReceived("orders", 202)
	m.StepCall("crm", "send", OutcomeSuccess, 1, 10*time.Millisecond)
	before := m.Snapshot()
	m.WebhookReceived("orders", 202)
	m.WebhookReceived("orders", 422)
	m.StepCall("crm", "send", OutcomeSuccess, 1, 2*time.Second)
	d := m.Snapshot().Sub(before)
	if got := d.Webhooks[WebhookKey{"orders", 202}]; got != 1 {
		t.Errorf("202 increase %g, want 1", got)
	}
	if got := d.Webhooks[WebhookKey{"orders", 422}]; got != 1 {
		t.Errorf("422 increase %g, want 1 (a series new since before)", got)
	}
	if h := d.Latency["crm"]; h.Count != 1 || h.Quantile(0.5) <= 1 {
		t.Errorf("latency since before: count %d p50 %g, want the one 2s call", h.Count, h.Quantile(0.5))
	}
	// A counter that went down (another process's restart) counts from zero.
	if got := increase(3, 10); got != 3 {
		t.Errorf("increase(3, 10) = %g, want 3", got)
	}
}

// The expected values are what Prometheus' histogram_quantile answers for
// the same buckets.
func TestHistogramQuantile(t *testing.T) {
	h := Histogram{Bounds: []float64{0.1, 0.5, 1}, Counts: []uint64{10, 30, 40}, Count: 40}
	for _, tt := range []struct{ q, want float64 }{
		{0.25, 0.1}, // rank 10: the top of the first bucket
		{0.5, 0.3},  // rank 20: half way through (0.1, 0.5], which holds 20
		{0.95, 0.9}, // rank 38: 8 of 10 through (0.5, 1]
	} {
		if got := h.Quantile(tt.q); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("q%g = %g, want %g", tt.q, got, tt.want)
		}
	}
	past := Histogram{Bounds: []float64{0.1, 1}, Counts: []uint64{0, 0}, Count: 4}
	if got := past.Quantile(0.5); got != 1 {
		t.Errorf("every observation above the last bound: q0.5 = %g, want the last bound 1", got)
	}
	if got := (Histogram{}).Quantile(0.5); !math.IsNaN(got) {
		t.Errorf("empty histogram q0.5 = %g, want NaN", got)
	}
}

func TestHistoryKeepsTheWindow(t *testing.T) {
	m := New()
	h := NewHistory(m, time.Minute, 3*time.Minute)
	if h.Points() != 3 {
		t.Fatalf("points %d, want 3", h.Points())
	}
	for i := range 5 {
		m.WebhookReceived("orders", 202)
		h.Record()
		samples, live := h.Read()
		if want := min(i+2, 4); len(samples) != want {
			t.Fatalf("after %d records: %d samples, want %d", i+1, len(samples), want)
		}
		if got := live.Webhooks[WebhookKey{"orders", 202}]; got != float64(i+1) {
			t.Fatalf("live total %g, want %d", got, i+1)
		}
	}
	samples, live := h.Read()
	// The window's baseline is the snapshot three steps back: 2 events then.
	if got := live.Sub(samples[0]).Webhooks[WebhookKey{"orders", 202}]; got != 3 {
		t.Errorf("increase over the window %g, want 3", got)
	}
}
