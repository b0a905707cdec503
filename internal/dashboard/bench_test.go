package dashboard

import (
	"fmt"
	"testing"
	"time"

	"github.com/hookflow/hookflow/internal/telemetry"
)

// BenchmarkOverview is the cost of one poll of the page (every 5 s per open
// tab) with a busy project's series: 10 triggers × 6 statuses, 20
// integrations × 3 operations, a full hour of history. Temporal's answers
// are cached, as they are between polls. BenchmarkSnapshot, the registry
// read each poll makes, is its baseline.
func BenchmarkOverview(b *testing.B) {
	h, m := newBenchHandler(b)
	for range 60 {
		busy(m)
		h.o.History.Record()
	}
	call(h, "GET", "/dashboard/api/overview", "127.0.0.1:1", "127.0.0.1", nil, "") // fills the caches
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		w := call(h, "GET", "/dashboard/api/overview", "127.0.0.1:1", "127.0.0.1", nil, "")
		if w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}

func BenchmarkSnapshot(b *testing.B) {
	_, m := newBenchHandler(b)
	busy(m)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		m.Snapshot()
	}
}

func newBenchHandler(b *testing.B) (*Handler, *telemetry.Metrics) {
	m := telemetry.New()
	var p Project
	for i := range 10 {
		p.Triggers = append(p.Triggers, fmt.Sprintf("trigger-%d", i))
	}
	for i := range 20 {
		p.Integrations = append(p.Integrations, Integration{Name: fmt.Sprintf("integration-%d", i)})
	}
	h := New(Options{Role: RoleDev, History: telemetry.NewHistory(m, time.Minute, time.Hour), Temporal: &fakeTemporal{}, Namespace: "default"}, p)
	return h, m
}

// busy records a minute of traffic on every series.
func busy(m *telemetry.Metrics) {
	for t := range 10 {
		for _, status := range []int{202, 400, 401, 413, 422, 503} {
			m.WebhookReceived(fmt.Sprintf("trigger-%d", t), status)
		}
	}
	for i := range 20 {
		for op := range 3 {
			m.StepCall(fmt.Sprintf("integration-%d", i), fmt.Sprintf("op-%d", op), telemetry.OutcomeSuccess, 1, time.Duration(i+op)*10*time.Millisecond)
			m.StepCall(fmt.Sprintf("integration-%d", i), fmt.Sprintf("op-%d", op), telemetry.OutcomeRetryable, 2, time.Second)
		}
	}
}
