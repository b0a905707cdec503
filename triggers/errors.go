package triggers

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hookflow/hookflow/triggers/verify"
)

// requestError is a rejection the sender can act on.
type requestError struct {
	status int
	msg    string
	fields []FieldError
}

func (e *requestError) Error() string { return e.msg }

func reject(status int, msg string) error { return &requestError{status: status, msg: msg} }

// errUnavailable means Temporal did not accept the start; the sender should retry.
type errUnavailable struct{ cause error }

func (e errUnavailable) Error() string {
	return "the workflow service is unavailable, nothing was started; retry later"
}
func (e errUnavailable) Unwrap() error { return e.cause }

// unavailableRetryAfter is the Retry-After of a 503, in seconds: about as
// long as a Temporal node's failover.
const unavailableRetryAfter = 5

// rateLimited means the trigger's rate_limit is spent; the sender should
// retry after retryAfter.
type rateLimited struct {
	trigger    string
	spec       string
	retryAfter time.Duration
}

func (e *rateLimited) Error() string {
	return fmt.Sprintf("trigger %s is over its rate_limit of %s; nothing was started, retry after %d s", e.trigger, e.spec, e.retryAfterSeconds())
}

// retryAfterSeconds rounds up: retrying early would only be refused again.
func (e *rateLimited) retryAfterSeconds() int {
	return max(1, int(math.Ceil(e.retryAfter.Seconds())))
}

// unverifiedLimited means the sender's address failed verification too
// often; it should fix its secret, and retry after retryAfter.
type unverifiedLimited struct {
	retryAfter time.Duration
}

func (e *unverifiedLimited) Error() string {
	return fmt.Sprintf("too many requests from this address failed verification; nothing was read or started, check the signing secret and retry after %d s", e.retryAfterSeconds())
}

func (e *unverifiedLimited) retryAfterSeconds() int {
	return max(1, int(math.Ceil(e.retryAfter.Seconds())))
}

// status maps every error the handler can meet to its HTTP status, in one place.
func status(err error) int {
	var re *requestError
	var ve *verify.Error
	var ue errUnavailable
	var mbe *http.MaxBytesError
	var rl *rateLimited
	var mc *misconfigured
	var ul *unverifiedLimited
	switch {
	case errors.As(err, &re):
		return re.status
	case errors.As(err, &mc):
		return http.StatusInternalServerError
	case errors.As(err, &rl), errors.As(err, &ul):
		return http.StatusTooManyRequests
	case errors.As(err, &ve):
		return http.StatusUnauthorized
	case errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge
	case errors.As(err, &ue):
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// errorBody is every error response: {"error": "...", "fields": [...]}.
type errorBody struct {
	Error  string       `json:"error"`
	Fields []FieldError `json:"fields,omitempty"`
}

func writeError(c *gin.Context, err error) {
	code := status(err)
	body := errorBody{Error: err.Error()}
	var re *requestError
	var ve *verify.Error
	var mbe *http.MaxBytesError
	var rl *rateLimited
	var mc *misconfigured
	var ue errUnavailable
	var ul *unverifiedLimited
	switch {
	case errors.As(err, &re):
		body.Fields = re.fields
	case errors.As(err, &rl):
		c.Header("Retry-After", strconv.Itoa(rl.retryAfterSeconds()))
	case errors.As(err, &mc):
		// The operator's fix, not "internal error": the sender's team can pass it on.
	case errors.As(err, &ue):
		c.Header("Retry-After", strconv.Itoa(unavailableRetryAfter))
	case errors.As(err, &ul):
		c.Header("Retry-After", strconv.Itoa(ul.retryAfterSeconds()))
	case errors.As(err, &ve):
		body.Error = "signature verification failed: " + ve.Error()
	case errors.As(err, &mbe):
		body.Error = "body is larger than this trigger's limit of " + formatSize(mbe.Limit) + "; raise body_limit in hookflow.yaml if that is expected"
	case code == http.StatusInternalServerError:
		body.Error = "internal error; see the server log"
	}
	c.Abort()
	answer(c, code, body)
}
