package integrations

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/hookflow/hookflow/redact"
)

// Error classifies a failed call. Network errors, 408, 429 and 5xx are
// Retryable; other statuses are not. RetryAfter comes from the Retry-After
// header. Message is short, names the status and the vendor's own error
// text, and never holds a secret.
type Error struct {
	Retryable  bool
	RetryAfter time.Duration
	Status     int // 0: no response
	Message    string
}

func (e *Error) Error() string { return e.Message }

// maxVendorText bounds the vendor's error text quoted in a Message.
const maxVendorText = 300

// statusError classifies a non-2xx response. scrub hides the
// integration's secrets in the vendor's text before it is cut to length,
// so a cut never leaves a secret's prefix behind.
func statusError(r *Response, now time.Time, scrub func(string) string) *Error {
	e := &Error{Status: r.Status}
	e.Retryable = r.Status == http.StatusRequestTimeout || r.Status == http.StatusTooManyRequests || r.Status >= 500
	msg := fmt.Sprintf("HTTP %d", r.Status)
	if t := http.StatusText(r.Status); t != "" {
		msg += " " + t
	}
	if r.Status >= 300 && r.Status < 400 {
		// A redirect is never followed: the next hop could be anywhere, and
		// the receiver's URL should be fixed in hookflow.yaml instead.
		msg += ": redirect not followed"
		if loc := r.Header.Get("Location"); loc != "" {
			loc, _, _ = strings.Cut(scrub(redact.URL(loc)), "?")
			msg += " (Location: " + truncate(loc, 200) + ")"
		}
	} else if text := vendorText(r, scrub); text != "" {
		msg += ": " + text
	}
	e.Message = msg
	if e.Retryable {
		e.RetryAfter = retryAfter(r.Header.Get("Retry-After"), now)
	}
	return e
}

// retryAfter parses Retry-After: delay seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		if s <= 0 {
			return 0
		}
		return time.Duration(min(s, int64(30*24*time.Hour/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now).Round(time.Second)
	}
	return 0
}

var (
	spaces  = regexp.MustCompile(`\s+`)
	htmlTag = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)
)

// vendorText is the error text of a response body: the usual JSON error
// fields if there are any, the <title> of an HTML page, else the text
// itself; redacted, then cut.
func vendorText(r *Response, scrub func(string) string) string {
	body := strings.TrimSpace(string(r.Body))
	if body == "" {
		return ""
	}
	var text string
	var v any
	switch {
	case json.Unmarshal([]byte(body), &v) == nil:
		text = jsonErrorText(v)
		if text == "" {
			text = body
		}
	case strings.HasPrefix(body, "<"):
		if m := htmlTag.FindStringSubmatch(body); m != nil {
			text = m[1]
		}
	default:
		text = strings.ToValidUTF8(body, "\uFFFD")
	}
	return truncate(strings.TrimSpace(spaces.ReplaceAllString(scrub(text), " ")), maxVendorText)
}

// jsonErrorText finds the message in the error shapes APIs commonly use:
// {"message"}, {"error": "…"|{"message"}}, {"error_description"},
// {"detail"}, {"title"}, {"errors": ["…"|{"message"}]}.
func jsonErrorText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []any:
		var parts []string
		for _, e := range v[:min(len(v), 3)] {
			if t := jsonErrorText(e); t != "" {
				parts = append(parts, t)
			}
		}
		return strings.Join(parts, "; ")
	case map[string]any:
		for _, k := range []string{"message", "error_description", "error", "detail", "title", "errors", "msg", "description"} {
			if t := jsonErrorText(v[k]); t != "" {
				return t
			}
		}
	}
	return ""
}

// networkError classifies a request that got no response. A refusal by the
// SSRF guard is a configuration problem, so it is not retried.
func networkError(ctx context.Context, method, target string, err error, timeout time.Duration) *Error {
	cause := err
	if ue, ok := errors.AsType[*url.Error](err); ok {
		cause = ue.Err // *url.Error repeats the URL, unredacted
	}
	prefix := method + " " + target + ": "
	switch {
	case refused(err):
		why := cause.Error()
		if i := strings.Index(why, "prohibited "); i >= 0 {
			why = why[i:] // drop "dial tcp <addr>: "
		}
		return &Error{Message: prefix + "refused by the SSRF guard (" + why + "); add its network to outbound.allow_networks if this is intended"}
	case errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded):
		return &Error{Retryable: true, Message: prefix + fmt.Sprintf("no response within %s", timeout)}
	}
	return &Error{Retryable: true, Message: prefix + cause.Error()}
}
