package integrations

import (
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// What vendor kinds share: a base URL setting, paths built from ids, and a
// hook to classify failures the vendor explains better than its status.

// Classifier is implemented by an Operation whose vendor says more about a
// failed (non-2xx) response than its status does: a retry delay in the body,
// an error code that means "try again", the credential to check. Set.Call
// passes it the *Error the status gave and uses the one it returns.
type Classifier interface {
	Classify(r *Response, e *Error) *Error
}

// BaseURL checks a kind's `base_url` setting (def when unset): an absolute
// http or https URL without query or fragment. The trailing slash is
// dropped so that paths can be appended. It is overridable for EU regions,
// proxies and tests.
func BaseURL(node *yaml.Node, raw, def string) (*url.URL, error) {
	at := Child(node, "base_url")
	if raw == "" {
		raw = def
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return nil, Errorf(at, "base_url", "must be an absolute http or https URL")
	case u.User != nil:
		return nil, Errorf(at, "base_url", "must not contain credentials; use the kind's credential settings")
	case u.RawQuery != "" || u.Fragment != "":
		return nil, Errorf(at, "base_url", "must not have a query or #fragment")
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// Loopback reports whether u points at this machine (tests, local proxies),
// where plain http does not expose a credential to the network.
func Loopback(u *url.URL) bool {
	h := u.Hostname()
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// URL appends path segments to base, each escaped, so that an id taken from
// a payload cannot change the path: "/", "?" and "#" stay inside their
// segment, and "." and ".." are escaped so that nothing resolves them.
func URL(base *url.URL, segments ...string) string {
	u := *base
	raw := strings.TrimRight(u.EscapedPath(), "/")
	plain := strings.TrimRight(u.Path, "/")
	for _, s := range segments {
		e := url.PathEscape(s)
		if s == "." || s == ".." {
			e = strings.Repeat("%2E", len(s)) // never a dot segment
		}
		raw += "/" + e
		plain += "/" + s
	}
	u.Path, u.RawPath = plain, raw
	return u.String()
}

// Secrets lists the non-empty values among vals, for Integration.Secrets.
func Secrets(vals ...string) []string {
	var out []string
	for _, v := range vals {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// RetryAfterHeader reads a response's Retry-After (seconds or an HTTP date),
// for vendors that send it with a failure reported in a 2xx body.
func RetryAfterHeader(h http.Header) time.Duration {
	return retryAfter(h.Get("Retry-After"), time.Now())
}
