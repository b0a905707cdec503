package telemetry

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

// series gathers the registry, failing on any error, and returns family
// name's series as sorted `name{k="v",...} value` lines; a histogram gives its
// sample count.
func series(t *testing.T, m *Metrics, name string) []string {
	t.Helper()
	families, err := m.Registry().Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	var lines []string
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, s := range f.GetMetric() {
			var labels []string
			for _, l := range s.GetLabel() {
				labels = append(labels, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
			}
			var v float64
			switch f.GetType() {
			case dto.MetricType_COUNTER:
				v = s.GetCounter().GetValue()
			case dto.MetricType_GAUGE:
				v = s.GetGauge().GetValue()
			case dto.MetricType_HISTOGRAM:
				v = float64(s.GetHistogram().GetSampleCount())
			}
			lines = append(lines, fmt.Sprintf("%s{%s} %g", name, strings.Join(labels, ","), v))
		}
	}
	slices.Sort(lines)
	return lines
}

func TestSDKHandler(t *testing.T) {
	root := map[string]string{"namespace": "default", "task_queue": "hookflow"}
	tests := []struct {
		name   string
		record func(h client.MetricsHandler)
		metric string
		want   []string
	}{
		{
			name: "same name, tags added later",
			record: func(h client.MetricsHandler) {
				h = h.WithTags(root)
				h.Counter("temporal_request_failure").Inc(1)
				h.WithTags(map[string]string{"status_code": "UNAVAILABLE"}).Counter("temporal_request_failure").Inc(2)
				h.Counter("temporal_request_failure").Inc(1)
			},
			metric: "temporal_request_failure",
			want: []string{
				`temporal_request_failure{namespace="default",status_code="",task_queue="hookflow"} 2`,
				`temporal_request_failure{namespace="default",status_code="UNAVAILABLE",task_queue="hookflow"} 2`,
			},
		},
		{
			name: "same name, fewer tags later",
			record: func(h client.MetricsHandler) {
				h.WithTags(root).WithTags(map[string]string{"failure_reason": "NonDeterminismError"}).
					Counter("temporal_workflow_task_execution_failed").Inc(1)
				h.WithTags(map[string]string{"workflow_type": "HandleEvent"}).
					Counter("temporal_workflow_task_execution_failed").Inc(1)
				h.Counter("temporal_workflow_task_execution_failed").Inc(1)
			},
			metric: "temporal_workflow_task_execution_failed",
			want: []string{
				`temporal_workflow_task_execution_failed{failure_reason="",namespace="",task_queue="",workflow_type=""} 1`,
				`temporal_workflow_task_execution_failed{failure_reason="",namespace="",task_queue="",workflow_type="HandleEvent"} 1`,
				`temporal_workflow_task_execution_failed{failure_reason="NonDeterminismError",namespace="default",task_queue="hookflow",workflow_type=""} 1`,
			},
		},
		{
			name: "empty tag value is no tag",
			record: func(h client.MetricsHandler) {
				h.WithTags(map[string]string{"a": "x"}).Counter("temporal_c").Inc(1)
				h.WithTags(map[string]string{"a": "x", "b": ""}).Counter("temporal_c").Inc(1)
			},
			metric: "temporal_c",
			want:   []string{`temporal_c{a="x"} 2`},
		},
		{
			name: "later tags override",
			record: func(h client.MetricsHandler) {
				h.WithTags(map[string]string{"status": "running"}).WithTags(map[string]string{"status": "failed"}).
					Counter(RunsFinished).Inc(1)
			},
			metric: RunsFinished,
			want:   []string{`hookflow_runs_finished_total{status="failed"} 1`},
		},
		{
			name: "WithTags leaves its parent alone",
			record: func(h client.MetricsHandler) {
				parent := h.WithTags(map[string]string{"status": "completed"})
				parent.WithTags(map[string]string{"status": "failed"})
				parent.Counter(RunsFinished).Inc(1)
			},
			metric: RunsFinished,
			want:   []string{`hookflow_runs_finished_total{status="completed"} 1`},
		},
		{
			name: "negative counter delta ignored",
			record: func(h client.MetricsHandler) {
				c := h.Counter("temporal_c")
				c.Inc(3)
				c.Inc(-2)
			},
			metric: "temporal_c",
			want:   []string{`temporal_c{} 3`},
		},
		{
			name: "gauge keeps the last value",
			record: func(h client.MetricsHandler) {
				g := h.WithTags(map[string]string{"poller_type": "workflow_task"}).Gauge("temporal_num_pollers")
				g.Update(2)
				g.Update(5)
			},
			metric: "temporal_num_pollers",
			want:   []string{`temporal_num_pollers{poller_type="workflow_task"} 5`},
		},
		{
			name: "names and tag keys sanitized",
			record: func(h client.MetricsHandler) {
				h.WithTags(map[string]string{"task-queue": "q", "__name__": "n", "le": "1", "9lives": "y"}).
					Counter("my-app.calls").Inc(1)
			},
			metric: "my_app_calls",
			want:   []string{`my_app_calls{_9lives="y",_le="1",_name__="n",task_queue="q"} 1`},
		},
		{
			name: "invalid UTF-8 tag value repaired",
			record: func(h client.MetricsHandler) {
				h.WithTags(map[string]string{"workflow_type": "a\xffb"}).Counter("temporal_c").Inc(1)
			},
			metric: "temporal_c",
			want:   []string{"temporal_c{workflow_type=\"a\uFFFDb\"} 1"},
		},
		{
			name: "one name used as two kinds keeps the first",
			record: func(h client.MetricsHandler) {
				h.Counter("temporal_x").Inc(1)
				h.Gauge("temporal_x").Update(7)
				h.Timer("temporal_x").Record(time.Second)
			},
			metric: "temporal_x",
			want:   []string{`temporal_x{} 1`},
		},
		{
			name: "hookflow's own names are not the SDK's",
			record: func(h client.MetricsHandler) {
				h.Counter("hookflow_webhooks_received_total").Inc(1)
				h.Gauge("go_goroutines").Update(1e6)
			},
			metric: "hookflow_webhooks_received_total",
			want:   nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New()
			tt.record(m.SDKHandler())
			if got := series(t, m, tt.metric); !slices.Equal(got, tt.want) {
				t.Errorf("series:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
		})
	}
}

func TestSDKTimerIsHistogramInSeconds(t *testing.T) {
	m := New()
	h := m.SDKHandler().WithTags(map[string]string{"activity_type": "CallStep"})
	h.Timer("temporal_activity_execution_latency").Record(30 * time.Millisecond)
	h.Timer("temporal_activity_execution_latency").Record(2 * time.Second)
	// Same name, one more tag: lands in the same family.
	h.WithTags(map[string]string{"workflow_type": "HandleEvent"}).Timer("temporal_activity_execution_latency").Record(90 * time.Minute)

	families, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	var f *dto.MetricFamily
	for _, g := range families {
		if g.GetName() == "temporal_activity_execution_latency" {
			f = g
		}
	}
	if f == nil || f.GetType() != dto.MetricType_HISTOGRAM || len(f.GetMetric()) != 2 {
		t.Fatalf("family = %v, want a histogram with 2 series", f)
	}
	for _, s := range f.GetMetric() {
		hist := s.GetHistogram()
		cumulative := map[float64]uint64{}
		for _, b := range hist.GetBucket() {
			cumulative[b.GetUpperBound()] = b.GetCumulativeCount()
		}
		labels := fmt.Sprint(s.GetLabel())
		switch {
		case strings.Contains(labels, `value:"HandleEvent"`):
			if hist.GetSampleCount() != 1 || hist.GetSampleSum() != 5400 || cumulative[3600] != 0 || cumulative[21600] != 1 {
				t.Errorf("HandleEvent series = %v", hist)
			}
		default:
			if hist.GetSampleCount() != 2 || math.Abs(hist.GetSampleSum()-2.03) > 1e-9 ||
				cumulative[0.025] != 0 || cumulative[0.05] != 1 || cumulative[1] != 1 || cumulative[2.5] != 2 {
				t.Errorf("CallStep series = %v", hist)
			}
		}
	}
}

// TestRunsFinishedFromWorkflow drives the handler through the SDK's workflow
// test environment: what workflow code records reaches the registry.
func TestRunsFinishedFromWorkflow(t *testing.T) {
	m := New()
	var suite testsuite.WorkflowTestSuite
	suite.SetMetricsHandler(m.SDKHandler())
	env := suite.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(func(ctx workflow.Context) error {
		workflow.GetMetricsHandler(ctx).WithTags(map[string]string{"status": "completed"}).Counter(RunsFinished).Inc(1)
		return nil
	}, workflow.RegisterOptions{Name: "HandleEvent"})
	env.ExecuteWorkflow("HandleEvent")
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}

	got := series(t, m, RunsFinished)
	if len(got) != 1 || !strings.Contains(got[0], `status="completed"`) || !strings.HasSuffix(got[0], "} 1") {
		t.Errorf("%s series = %v, want one with status=completed counting 1", RunsFinished, got)
	}
}

func TestConcurrentUse(t *testing.T) {
	m := New()
	const goroutines, rounds = 8, 500
	tagSets := []map[string]string{
		{"namespace": "default"},
		{"namespace": "default", "operation": "PollWorkflowTaskQueue"},
		{"status_code": "UNAVAILABLE"},
		nil,
	}
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range rounds {
				h := m.SDKHandler().WithTags(tagSets[(g+i)%len(tagSets)])
				h.Counter("temporal_request").Inc(1)
				h.Gauge("temporal_num_pollers").Update(float64(i))
				h.Timer("temporal_request_latency").Record(time.Duration(i) * time.Millisecond)
				m.WebhookReceived("t", 202)
				m.StepCall("crm", "upsert_contact", OutcomeSuccess, 1+i%2, time.Millisecond)
			}
		})
	}
	// Scrape while recording.
	wg.Go(func() {
		for range 20 {
			if _, err := m.Registry().Gather(); err != nil {
				t.Errorf("gather: %v", err)
			}
		}
	})
	wg.Wait()

	sum := func(lines []string) float64 {
		var total float64
		for _, l := range lines {
			var v float64
			fmt.Sscan(l[strings.LastIndexByte(l, ' ')+1:], &v)
			total += v
		}
		return total
	}
	want := float64(goroutines * rounds)
	for _, name := range []string{"temporal_request", "temporal_request_latency", "hookflow_webhooks_received_total", "hookflow_step_calls_total"} {
		if got := sum(series(t, m, name)); got != want {
			t.Errorf("%s totals %g, want %g", name, got, want)
		}
	}
	if got := len(series(t, m, "temporal_request")); got != len(tagSets) {
		t.Errorf("temporal_request has %d series, want %d", got, len(tagSets))
	}
}

// BenchmarkSDKRecord is what the SDK does for each metric it records: ask
// the handler of a task's tags for the metric by name, then record one value.
func BenchmarkSDKRecord(b *testing.B) {
	h := New().SDKHandler().WithTags(map[string]string{"namespace": "default", "task_queue": "hookflow", "worker_type": "WorkflowWorker", "workflow_type": "HandleEventV2"})
	b.ReportAllocs()
	for b.Loop() {
		h.Counter("temporal_workflow_task_execution_total").Inc(1)
		h.Timer("temporal_workflow_task_execution_latency").Record(time.Millisecond)
	}
}

// BenchmarkSDKWithTags is the SDK deriving a handler for a task's tags, as
// it does for each local activity, workflow task and client call: a new
// map with the same tags each time.
func BenchmarkSDKWithTags(b *testing.B) {
	h := New().SDKHandler().WithTags(map[string]string{"namespace": "default"})
	b.ReportAllocs()
	for b.Loop() {
		h.WithTags(map[string]string{"task_queue": "hookflow", "worker_type": "LocalActivityWorker", "activity_type": "CallStep", "workflow_type": "HandleEventV2"}).
			Counter("temporal_local_activity_total").Inc(1)
	}
}
