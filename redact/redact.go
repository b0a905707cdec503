// Package redact says which header and parameter names carry credentials,
// and hides them, for every direction hookflow records: inbound webhook
// headers before they enter a run's history, and outbound requests and
// responses before they are recorded. One list, so a name that is secret on
// the way in is secret on the way out. It imports nothing of the project.
package redact

import (
	"net/url"
	"strings"
)

// Mask replaces a hidden value.
const Mask = "[redacted]"

// sensitiveParts mark a header or query parameter whose value is a
// credential. Idempotency-Key is the one "key" that is not.
var sensitiveParts = []string{"auth", "cookie", "signature", "token", "secret", "password", "passwd", "key", "session", "credential", "hmac"}

// Sensitive reports whether a header or query parameter called name carries
// a credential (Authorization, Cookie, X-Webhook-Secret, Api-Key, X-Auth,
// X-Hub-Signature-256, sig, …), so that its value is never recorded.
func Sensitive(name string) bool {
	n := strings.ToLower(name)
	switch n {
	case "idempotency-key":
		return false
	case "sig": // signed URLs (Azure SAS, …)
		return true
	}
	for _, p := range sensitiveParts {
		if strings.Contains(n, p) {
			return true
		}
	}
	return false
}

// URL hides a URL's userinfo password and the values of its credential-like
// query parameters (per Sensitive), keeping the rest readable. A string that
// does not parse as a URL is returned with its query cut off.
func URL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		s, _, _ := strings.Cut(raw, "?")
		return s
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "REDACTED")
		}
	}
	if u.RawQuery != "" {
		parts := strings.Split(u.RawQuery, "&")
		for i, p := range parts {
			k, _, found := strings.Cut(p, "=")
			if name, err := url.QueryUnescape(k); found && err == nil && Sensitive(name) {
				parts[i] = k + "=REDACTED"
			}
		}
		u.RawQuery = strings.Join(parts, "&")
	}
	return strings.ReplaceAll(u.String(), "REDACTED", Mask)
}

// URLHeader reports whether a header's value is a URL (Location and the
// like), to be shown through URL.
func URLHeader(name string) bool {
	switch strings.ToLower(name) {
	case "location", "content-location", "link", "refresh":
		return true
	}
	return false
}
