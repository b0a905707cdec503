package telemetry

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	"go.temporal.io/sdk/client"
)

// RunsFinished is the counter workflow code increments, through the SDK metrics
// handler, when a run ends; tag "status" says how it ended.
const RunsFinished = "hookflow_runs_finished_total"

// Names of the metrics hookflow records directly.
const (
	nameWebhooksReceived     = "hookflow_webhooks_received_total"
	nameVerificationFailures = "hookflow_verification_failures_total"
	nameRunsStarted          = "hookflow_runs_started_total"
	nameRunsDeduplicated     = "hookflow_runs_deduplicated_total"
	nameStepCalls            = "hookflow_step_calls_total"
	nameOutboundDuration     = "hookflow_outbound_duration_seconds"
	nameStepRetries          = "hookflow_step_retries_total"
)

// Outcomes of one CallStep attempt, the values of the "outcome" label.
const (
	OutcomeSuccess   = "success"
	OutcomeRetryable = "retryable"
	OutcomePermanent = "permanent"
	OutcomeSkipped   = "skipped"
)

// outboundBuckets span what an outbound HTTP call can take: a fast local hop
// (5ms) up to the longest timeout an integration allows (60s).
var outboundBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}

// Metrics is every hookflow metric on one registry.
//
// A nil *Metrics records nothing, so packages can take one as an optional
// dependency and tests need not build one.
type Metrics struct {
	registry *prometheus.Registry
	sdk      *sdkCollector

	webhooksReceived     *prometheus.CounterVec
	verificationFailures *prometheus.CounterVec
	runsStarted          *prometheus.CounterVec
	runsDeduplicated     *prometheus.CounterVec
	stepCalls            *prometheus.CounterVec
	outboundDuration     *prometheus.HistogramVec
	stepRetries          *prometheus.CounterVec
	integrationUp        *prometheus.GaugeVec
}

// New returns Metrics on a registry of its own, with the Go runtime and process
// collectors registered beside hookflow's metrics.
func New() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		webhooksReceived: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: nameWebhooksReceived,
			Help: "Webhook requests answered, by trigger and HTTP status.",
		}, []string{"trigger", "status"}),
		verificationFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: nameVerificationFailures,
			Help: "Webhook requests rejected by signature verification, by trigger and scheme.",
		}, []string{"trigger", "scheme"}),
		runsStarted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: nameRunsStarted,
			Help: "Workflow runs started, by trigger.",
		}, []string{"trigger"}),
		runsDeduplicated: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: nameRunsDeduplicated,
			Help: "Webhook deliveries that matched an existing run and started none, by trigger.",
		}, []string{"trigger"}),
		stepCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: nameStepCalls,
			Help: "Outbound step call attempts, by integration, operation and outcome (success, retryable, permanent, skipped).",
		}, []string{"integration", "operation", "outcome"}),
		outboundDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    nameOutboundDuration,
			Help:    "Duration of outbound step calls, by integration and operation.",
			Buckets: outboundBuckets,
		}, []string{"integration", "operation"}),
		integrationUp: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "hookflow_integration_up",
			Help: "1 while an integration's health check passes, 0 while it fails.",
		}, []string{"integration"}),
		stepRetries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: nameStepRetries,
			Help: "Outbound step call attempts after the first, by integration and operation.",
		}, []string{"integration", "operation"}),
	}
	m.registry.MustRegister(
		m.webhooksReceived, m.verificationFailures, m.runsStarted, m.runsDeduplicated,
		m.stepCalls, m.outboundDuration, m.stepRetries, m.integrationUp,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	// The SDK adapter must never emit a second family under one of these names.
	m.sdk = newSDKCollector(map[string]bool{
		nameWebhooksReceived: true, nameVerificationFailures: true, nameRunsStarted: true,
		nameRunsDeduplicated: true, nameStepCalls: true, nameOutboundDuration: true, nameStepRetries: true,
	})
	m.registry.MustRegister(m.sdk)
	return m
}

// Handler serves the registry in the Prometheus exposition format, for /metrics.
// A collector error drops that metric from the scrape rather than failing it.
func (m *Metrics) Handler() http.Handler {
	return promhttp.InstrumentMetricHandler(m.registry, promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{
		ErrorHandling: promhttp.ContinueOnError,
	}))
}

// Registry is the registry every hookflow metric is on.
func (m *Metrics) Registry() *prometheus.Registry { return m.registry }

// WebhookReceived counts a webhook request answered with status.
func (m *Metrics) WebhookReceived(trigger string, status int) {
	if m == nil {
		return
	}
	m.webhooksReceived.WithLabelValues(trigger, strconv.Itoa(status)).Inc()
}

// WebhooksAnswered is how many webhook requests have been answered so far,
// over every trigger and status (hookflow_webhooks_received_total summed):
// hookflow dev's --procs auto widens on a surge of them. It reads only
// that counter's series, not the whole registry as Snapshot does (the
// process collector reads /proc): it is read ten times a second.
func (m *Metrics) WebhooksAnswered() uint64 {
	if m == nil {
		return 0
	}
	series := make(chan prometheus.Metric)
	go func() {
		m.webhooksReceived.Collect(series)
		close(series)
	}()
	var total float64
	for s := range series {
		var v dto.Metric
		if s.Write(&v) == nil {
			total += v.GetCounter().GetValue()
		}
	}
	return uint64(total)
}

// VerificationFailed counts a request whose signature failed the trigger's scheme.
func (m *Metrics) VerificationFailed(trigger, scheme string) {
	if m == nil {
		return
	}
	m.verificationFailures.WithLabelValues(trigger, scheme).Inc()
}

// RunStarted counts an accepted event: a new run, or, when duplicate, a
// delivery that Temporal matched to the run already started for its event id.
func (m *Metrics) RunStarted(trigger string, duplicate bool) {
	if m == nil {
		return
	}
	if duplicate {
		m.runsDeduplicated.WithLabelValues(trigger).Inc()
		return
	}
	m.runsStarted.WithLabelValues(trigger).Inc()
}

// StepCall records one CallStep attempt: its outcome, its duration, and, for
// attempt > 1, a retry. A skipped step made no call, so it adds no duration.
func (m *Metrics) StepCall(integration, operation, outcome string, attempt int, d time.Duration) {
	if m == nil {
		return
	}
	m.stepCalls.WithLabelValues(integration, operation, outcome).Inc()
	if outcome != OutcomeSkipped {
		m.outboundDuration.WithLabelValues(integration, operation).Observe(d.Seconds())
	}
	if attempt > 1 {
		m.stepRetries.WithLabelValues(integration, operation).Inc()
	}
}

// SDKHandler adapts the registry to the Temporal SDK, for client.Options.MetricsHandler:
// the SDK's metrics and RunsFinished land on /metrics.
func (m *Metrics) SDKHandler() client.MetricsHandler {
	if m == nil {
		return client.MetricsNopHandler
	}
	return &sdkHandler{c: m.sdk}
}

// IntegrationUp records an integration's health check result.
func (m *Metrics) IntegrationUp(integration string, up bool) {
	if m == nil {
		return
	}
	v := 0.0
	if up {
		v = 1
	}
	m.integrationUp.WithLabelValues(integration).Set(v)
}
