// Package verify checks inbound webhook signatures on the raw request bytes,
// before anything parses the body, and produces the same signatures for the
// `hookflow send` CLI (which simulates providers) and for tests.
//
// A trigger's `verify:` section in hookflow.yaml is a [Config]. [New] validates
// it and returns a [Verifier]; [Sign] returns the headers a real sender of the
// scheme would add. Supported schemes ([Schemes]):
//
//   - standard: Standard Webhooks (webhook-id, webhook-timestamp,
//     webhook-signature; key is the base64 after `whsec_`)
//   - github: X-Hub-Signature-256 `sha256=<hex>` over the body
//   - stripe: Stripe-Signature `t=..,v1=..`; key is the whole `whsec_` string
//   - shopify: X-Shopify-Hmac-Sha256, base64 over the body
//   - slack: X-Slack-Signature `v0=<hex>` over `v0:ts:body`
//   - hubspot: X-HubSpot-Signature-v3, base64 over method+url+body+ts(ms)
//   - woocommerce: X-WC-Webhook-Signature, base64 over the body
//   - hmac: a generic, configurable HMAC (header, algorithm, encoding, prefix,
//     optional timestamp header, signed-content template)
//   - bearer, basic: a shared secret in the Authorization header
//   - none: accept unsigned requests (must be written explicitly)
//
// Every comparison is constant-time. Several secrets may be configured for
// rotation; any one verifying is enough. Schemes that sign a timestamp reject
// requests whose timestamp is further than the tolerance (default 5m) from now
// in either direction. Verification failures are *[Error] values (HTTP 401)
// whose messages never contain a secret or the received signature.
//
// [SchemeDefaults] tells the trigger layer where each scheme carries the event
// id and type, and whether the scheme protects against replay by signing a
// timestamp. Schemes that sign no timestamp can be replayed with a fresh
// delivery id, so callers should dedupe on a hash of the body as well.
package verify
