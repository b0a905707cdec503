package integrations

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Error classifies a failed call: network errors, 408, 429 and 5xx are
// retryable; other 4xx (and 3xx, which are never followed) are not.
type Error struct {
	Retryable  bool
	RetryAfter time.Duration // from Retry-After; 0 leaves the delay to the policy
	Status     int           // 0 for network errors
	Message    string
}

func (e *Error) Error() string { return e.Message }

// maxErrorText bounds the vendor text quoted in an error.
const maxErrorText = 300

// StatusError classifies a non-2xx response.
func StatusError(status int, header http.Header, body []byte, now time.Time) *Error {
	e := &Error{Status: status}
	switch {
	case status == http.StatusRequestTimeout, status == http.StatusTooManyRequests, status >= 500:
		e.Retryable = true
		e.RetryAfter = RetryAfter(header.Get("Retry-After"), now)
	}
	msg := fmt.Sprintf("HTTP %d %s", status, http.StatusText(status))
	switch {
	case status >= 300 && status < 400:
		msg += " (redirects are not followed; point the integration at the final URL)"
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		msg += " (check the integration's credentials)"
	}
	if text := vendorText(body); text != "" {
		msg += ": " + text
	}
	e.Message = msg
	return e
}

// NetworkError is a failure to reach the endpoint: always retryable.
func NetworkError(err error) *Error {
	return &Error{Retryable: true, Message: "network: " + err.Error()}
}

// RetryAfter reads a Retry-After header: delay-seconds or an HTTP date.
func RetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil {
		if secs < 0 {
			return 0
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

func vendorText(body []byte) string {
	s := strings.Join(strings.Fields(string(body)), " ")
	if len(s) > maxErrorText {
		s = s[:maxErrorText] + "…"
	}
	return s
}
