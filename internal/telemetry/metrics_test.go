package telemetry

import (
	"fmt"
	"io"
	"maps"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"
	"go.temporal.io/sdk/client"
)

// snapshot reads every hookflow_ series as "name{k="v",...}" → value; a
// histogram contributes its sample count under name_count.
func snapshot(t *testing.T, m *Metrics) map[string]float64 {
	t.Helper()
	families, err := m.Registry().Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	out := map[string]float64{}
	for _, f := range families {
		if !strings.HasPrefix(f.GetName(), "hookflow_") {
			continue
		}
		for _, s := range f.GetMetric() {
			name := f.GetName()
			v := s.GetCounter().GetValue()
			if f.GetType() == dto.MetricType_HISTOGRAM {
				name += "_count"
				v = float64(s.GetHistogram().GetSampleCount())
			}
			var labels []string
			for _, l := range s.GetLabel() {
				labels = append(labels, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
			}
			out[name+"{"+strings.Join(labels, ",")+"}"] = v
		}
	}
	return out
}

// changes is what after holds that before did not, as deltas.
func changes(before, after map[string]float64) map[string]float64 {
	out := map[string]float64{}
	for k, v := range after {
		if d := v - before[k]; d != 0 {
			out[k] = d
		}
	}
	return out
}

func TestMetricsRecordExactlyTheirMetric(t *testing.T) {
	tests := []struct {
		name   string
		record func(m *Metrics)
		want   map[string]float64
	}{
		{
			name:   "webhook accepted",
			record: func(m *Metrics) { m.WebhookReceived("shop-orders", 202) },
			want:   map[string]float64{`hookflow_webhooks_received_total{status="202",trigger="shop-orders"}`: 1},
		},
		{
			name: "webhook rejected twice",
			record: func(m *Metrics) {
				m.WebhookReceived("shop-orders", 401)
				m.WebhookReceived("shop-orders", 401)
			},
			want: map[string]float64{`hookflow_webhooks_received_total{status="401",trigger="shop-orders"}`: 2},
		},
		{
			name:   "verification failed",
			record: func(m *Metrics) { m.VerificationFailed("shop-orders", "shopify") },
			want:   map[string]float64{`hookflow_verification_failures_total{scheme="shopify",trigger="shop-orders"}`: 1},
		},
		{
			name:   "run started",
			record: func(m *Metrics) { m.RunStarted("shop-orders", false) },
			want:   map[string]float64{`hookflow_runs_started_total{trigger="shop-orders"}`: 1},
		},
		{
			name:   "duplicate delivery",
			record: func(m *Metrics) { m.RunStarted("shop-orders", true) },
			want:   map[string]float64{`hookflow_runs_deduplicated_total{trigger="shop-orders"}`: 1},
		},
		{
			name:   "first attempt succeeds",
			record: func(m *Metrics) { m.StepCall("crm", "upsert_contact", OutcomeSuccess, 1, 120*time.Millisecond) },
			want: map[string]float64{
				`hookflow_step_calls_total{integration="crm",operation="upsert_contact",outcome="success"}`: 1,
				`hookflow_outbound_duration_seconds_count{integration="crm",operation="upsert_contact"}`:    1,
			},
		},
		{
			name:   "third attempt retryable",
			record: func(m *Metrics) { m.StepCall("partner", "send", OutcomeRetryable, 3, time.Second) },
			want: map[string]float64{
				`hookflow_step_calls_total{integration="partner",operation="send",outcome="retryable"}`: 1,
				`hookflow_outbound_duration_seconds_count{integration="partner",operation="send"}`:      1,
				`hookflow_step_retries_total{integration="partner",operation="send"}`:                   1,
			},
		},
		{
			name:   "second attempt permanent",
			record: func(m *Metrics) { m.StepCall("shop", "tag_order", OutcomePermanent, 2, 40*time.Millisecond) },
			want: map[string]float64{
				`hookflow_step_calls_total{integration="shop",operation="tag_order",outcome="permanent"}`: 1,
				`hookflow_outbound_duration_seconds_count{integration="shop",operation="tag_order"}`:      1,
				`hookflow_step_retries_total{integration="shop",operation="tag_order"}`:                   1,
			},
		},
		{
			name:   "skipped step adds no duration",
			record: func(m *Metrics) { m.StepCall("ops", "post_message", OutcomeSkipped, 1, 0) },
			want: map[string]float64{
				`hookflow_step_calls_total{integration="ops",operation="post_message",outcome="skipped"}`: 1,
			},
		},
		{
			name: "run finished, from workflow code",
			record: func(m *Metrics) {
				m.SDKHandler().WithTags(map[string]string{"status": "completed"}).Counter(RunsFinished).Inc(1)
			},
			want: map[string]float64{`hookflow_runs_finished_total{status="completed"}`: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New()
			before := snapshot(t, m)
			tt.record(m)
			got := changes(before, snapshot(t, m))
			if !maps.Equal(got, tt.want) {
				t.Errorf("changed:\n%s\nwant:\n%s", format(got), format(tt.want))
			}
		})
	}
}

func format(m map[string]float64) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(m)) {
		fmt.Fprintf(&b, "  %s %g\n", k, m[k])
	}
	return b.String()
}

func TestOutboundDurationBuckets(t *testing.T) {
	m := New()
	m.StepCall("crm", "upsert_contact", OutcomeSuccess, 1, 30*time.Millisecond)
	m.StepCall("crm", "upsert_contact", OutcomeSuccess, 1, 45*time.Second)

	body := scrape(t, m)
	for _, line := range []string{
		`hookflow_outbound_duration_seconds_bucket{integration="crm",operation="upsert_contact",le="0.005"} 0`,
		`hookflow_outbound_duration_seconds_bucket{integration="crm",operation="upsert_contact",le="0.025"} 0`,
		`hookflow_outbound_duration_seconds_bucket{integration="crm",operation="upsert_contact",le="0.05"} 1`,
		`hookflow_outbound_duration_seconds_bucket{integration="crm",operation="upsert_contact",le="30"} 1`,
		`hookflow_outbound_duration_seconds_bucket{integration="crm",operation="upsert_contact",le="60"} 2`,
		`hookflow_outbound_duration_seconds_sum{integration="crm",operation="upsert_contact"} 45.03`,
	} {
		if !strings.Contains(body, line+"\n") {
			t.Errorf("scrape lacks %s", line)
		}
	}
}

func TestHandlerServesEverything(t *testing.T) {
	m := New()
	m.WebhookReceived("forms", 202)
	m.SDKHandler().WithTags(map[string]string{"namespace": "default"}).Counter("temporal_request").Inc(1)

	body := scrape(t, m)
	for _, line := range []string{
		`hookflow_webhooks_received_total{status="202",trigger="forms"} 1`,
		`temporal_request{namespace="default"} 1`,
		`# TYPE go_goroutines gauge`,
	} {
		if !strings.Contains(body, line+"\n") {
			t.Errorf("scrape lacks %s", line)
		}
	}
}

func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("GET /metrics: status %d", rec.Code)
	}
	body, _ := io.ReadAll(rec.Body)
	return string(body)
}

func TestWebhooksAnsweredCountsEveryTriggerAndStatus(t *testing.T) {
	m := New()
	m.WebhookReceived("orders", 202)
	m.WebhookReceived("orders", 401)
	m.WebhookReceived("stock", 202)
	m.VerificationFailed("orders", "github") // not an answer of its own
	if n := m.WebhooksAnswered(); n != 3 {
		t.Fatalf("WebhooksAnswered after 3 answers = %d, want 3", n)
	}
}

func TestNilMetricsRecordsNothing(t *testing.T) {
	var m *Metrics
	if n := m.WebhooksAnswered(); n != 0 {
		t.Errorf("WebhooksAnswered of nil Metrics = %d, want 0", n)
	}
	m.WebhookReceived("t", 202)
	m.VerificationFailed("t", "github")
	m.RunStarted("t", false)
	m.StepCall("crm", "upsert_contact", OutcomeSuccess, 2, time.Second)
	if h := m.SDKHandler(); h != client.MetricsNopHandler {
		t.Errorf("SDKHandler of nil Metrics = %T, want the nop handler", h)
	}
}

func TestLint(t *testing.T) {
	m := New()
	m.WebhookReceived("t", 202)
	m.VerificationFailed("t", "github")
	m.RunStarted("t", false)
	m.RunStarted("t", true)
	m.StepCall("crm", "upsert_contact", OutcomeRetryable, 2, time.Second)
	// promlint rather than testutil.GatherAndLint: testutil needs a module
	// (kylelemons/godebug) that go.mod does not list.
	families, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	var own []*dto.MetricFamily
	for _, f := range families {
		if strings.HasPrefix(f.GetName(), "hookflow_") {
			own = append(own, f)
		}
	}
	if len(own) != 7 {
		t.Fatalf("gathered %d hookflow_ families, want 7", len(own))
	}
	problems, err := promlint.NewWithMetricFamilies(own).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint %s: %s", p.Metric, p.Text)
	}
}

// BenchmarkWebhooksAnswered reads the total as --procs auto's governor
// does, ten times a second, with a few triggers' and statuses' series.
func BenchmarkWebhooksAnswered(b *testing.B) {
	m := New()
	for _, trigger := range []string{"orders", "stock", "crm"} {
		for _, status := range []int{202, 401, 429} {
			m.WebhookReceived(trigger, status)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if m.WebhooksAnswered() != 9 {
			b.Fatal("wrong total")
		}
	}
}
