// Package integrations owns hookflow's outbound HTTP: the Operation a kind
// implements, the configured Set of integrations a project calls, the
// SSRF-guarded client every call goes through (no private, loopback or
// link-local destinations unless allow-listed, no redirects, bounded timeouts
// and reads), error classes that drive Temporal's retries, the Idempotency-Key
// header, and the redacted record of each request and response.
//
// Each kind lives in its own sub-package with the same file names
// (webhook/webhook.go, webhook/send.go, …) and is registered in one table in
// integrations/catalog.
package integrations
