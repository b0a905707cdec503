// Package integrations holds what every outbound integration shares: the
// Integration and Operation interfaces a kind implements, the SSRF-guarded
// HTTP client, error classification, the Idempotency-Key, and the recorded
// request and response that CallStep keeps in history.
//
// Kinds live in sub-packages with the same file names (webhook/webhook.go for
// the config and New, webhook/send.go for an operation); catalog is the one
// table of kinds. This package imports nothing else of hookflow.
package integrations
