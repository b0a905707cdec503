// Package integrations owns hookflow's outbound HTTP: the Operation a kind
// implements, the configured Set of integrations a project calls, the
// SSRF-guarded client every call goes through (no private, loopback or
// link-local destinations unless allow-listed, no redirects, bounded timeouts
// and reads), error classes that drive Temporal's retries, the Idempotency-Key
// header, and the redacted record of each request and response.
//
// Each kind lives in its own sub-package with the same file names
// (hubspot/hubspot.go, hubspot/upsert_contact.go, hubspot/errors.go, …) and
// is registered in one table in integrations/catalog.
//
// A vendor kind is mostly data: its constructor checks its settings with
// Problems (Base, Credential) and returns an API (base URL, headers every
// request carries, the vendor's error rules) whose operations are Ops (method,
// path template, the `with` fields taken, a Build that maps them to the body,
// an Output that maps the answer), plus an Auth that puts the credential on
// each request as it is sent. Only the vendor's quirks are code.
//
// A credential that expires comes from OAuth (oauth.go, oauth_token.go):
// a kind's `oauth:` setting, checked by Problems.OAuth, becomes a Token
// that fetches access tokens through the Set's SSRF-guarded client,
// caches them, renews them before expiry and after a 401, and adds each
// to the integration's redactor. A value that
// reaches a URL path goes through an Op's {name} segments, as one escaped
// segment.
package integrations
