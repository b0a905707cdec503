// Package telemetry owns hookflow's Prometheus metrics: the front door (webhooks
// received, verification failures, runs started), outbound step calls, and the
// Temporal SDK's own metrics, all on one registry served at /metrics.
//
// Workflow code records metrics only through the SDK metrics handler
// (workflow.GetMetricsHandler), which the SDK silences during replay; SDKHandler
// routes those, and everything the SDK emits, into the same registry.
package telemetry
