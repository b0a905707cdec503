package integrations

import (
	"context"
	"net/http"
	"time"
)

// Integration is one configured integration of some kind.
type Integration interface {
	// Kind is the kind's name, e.g. "webhook".
	Kind() string
	// Operations are the operations by name.
	Operations() map[string]Operation
	// Retry is the integration's retry policy; zero fields get defaults.
	Retry() RetryPolicy
	// Timeout bounds one attempt; zero means the default.
	Timeout() time.Duration
	// Authorize adds credentials and signatures to a built request, at call
	// time, so they never pass through rendered input or history.
	Authorize(req *http.Request, body []byte, idempotencyKey string, now time.Time) error
	// Secrets are header names whose values are redacted from recordings.
	Secrets() []string
}

// Operation turns rendered input into a request, and a response into output.
type Operation interface {
	// Required lists the `with` fields the operation cannot do without.
	Required() []string
	// Request builds the request and its body from the step's rendered `with`.
	Request(ctx context.Context, in map[string]any) (*http.Request, []byte, error)
	// Output maps a 2xx response to the step's output. An error here (a 200
	// that means failure, as some vendors send) is returned as is; an *Error
	// says whether to retry.
	Output(status int, header http.Header, body []byte) (any, error)
}

// Call is one outbound operation with its rendered input.
type Call struct {
	Integration    string         `json:"integration"`
	Operation      string         `json:"operation"`
	Input          map[string]any `json:"input"`
	IdempotencyKey string         `json:"idempotency_key"`
}

// RecordedRequest is what was sent, secrets redacted.
type RecordedRequest struct {
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body,omitempty"`
}

// RecordedResponse is what came back, the body capped.
type RecordedResponse struct {
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    string            `json:"body,omitempty"`
}

// Result is what a call did: what was sent, what came back, and the output.
type Result struct {
	Request  RecordedRequest   `json:"request"`
	Response *RecordedResponse `json:"response,omitempty"`
	Output   any               `json:"output,omitempty"`
}
