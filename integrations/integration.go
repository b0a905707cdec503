package integrations

import (
	"context"
	"net"
	"net/http"
	"time"

	"gopkg.in/yaml.v3"
)

// Constructor builds an integration of one kind from its configuration
// mapping (the whole `integrations.<name>` node). It decodes its own fields
// with Decode; the shared ones (kind, timeout, retry) are the catalog's.
// Problems are returned as *ConfigError values, joined.
type Constructor func(node *yaml.Node) (*Integration, error)

// Integration is one configured integration. A kind's Constructor fills
// Operations and Secrets; the catalog fills the rest.
type Integration struct {
	Name    string
	Kind    string
	Timeout time.Duration // per attempt
	Retry   RetryPolicy
	// HealthCheck, when set, is probed by the health monitor.
	HealthCheck *HealthCheck
	// Limits bound how fast and how many calls go out at once.
	Limits Limits
	// RecordLimit caps the request and response bodies kept in history
	// (`record_body_limit`); 0 means MaxRecordedBody.
	RecordLimit int

	Operations map[string]Operation
	// Auth, when set, puts the credential on every HTTP request as it is
	// sent (never on what an Operation builds, so never in a preview).
	Auth *Auth
	// Credentials are Tokens an Operation asks for itself (a Sender's
	// XOAUTH2), besides Auth's. The Set binds those that fetch (OAuth) to
	// its guarded client and to the integration's redactor.
	Credentials []Token
	// Secrets are configured values (tokens, signing keys) that must never be
	// recorded: they are replaced by "[redacted]" wherever they appear in a
	// recorded request, response or error message.
	Secrets []string
}

// Operation turns a call's rendered input into an HTTP request, and a 2xx
// response into the step's output. Non-2xx responses are classified by the
// Set; Output may still return an *Error for a vendor that reports failure
// in a 2xx body.
type Operation interface {
	// Required lists the `with` fields the operation cannot do without.
	Required() []string
	// Request builds the request. An error here is bad input: the call is
	// not retried. Name the field: `with.body: ...`.
	Request(c Call) (*Request, error)
	// Output maps a 2xx response to the step's output.
	Output(r *Response) (any, error)
}

// Sender is an Operation that delivers by another protocol than HTTP (SMTP):
// Set.Call hands it the call, under the integration's per-attempt timeout,
// and the Set's SSRF-guarded dialer instead of doing an HTTP round trip. It
// returns what it sent and received (the Set redacts secrets and caps the
// bodies) and, on failure, an *Error classified as Set.Call's are, or a
// plain error for bad input. Its Request and Output are never called.
type Sender interface {
	Send(ctx context.Context, c Call, dial func(ctx context.Context, network, addr string) (net.Conn, error)) (Result, error)
}

// Previewer is implemented by a Sender so that Set.Build can show what it
// would send without sending it. The Set redacts secrets.
type Previewer interface {
	Preview(c Call) (RecordedRequest, error)
}

// Request is what an operation wants sent. The Set adds User-Agent and
// Idempotency-Key, records it and sends it through the guarded client.
type Request struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte
}

// Response is what came back, with the body read up to MaxResponseBody.
type Response struct {
	Status    int
	Header    http.Header
	Body      []byte
	Truncated bool // the body was longer than MaxResponseBody
}

// Call is one outbound operation with its rendered input.
type Call struct {
	Integration    string         `json:"integration"`
	Operation      string         `json:"operation"`
	Input          map[string]any `json:"input"`           // the step's rendered `with`
	IdempotencyKey string         `json:"idempotency_key"` // "<workflow id>/<step id>": sent as Idempotency-Key on every attempt
}

// RecordedRequest is what was sent, with secrets redacted.
type RecordedRequest struct {
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body,omitempty"` // capped at MaxRecordedBody
}

// RecordedResponse is what came back, with secrets redacted.
type RecordedResponse struct {
	Status    int               `json:"status"`
	Headers   map[string]string `json:"headers,omitempty"`
	Body      string            `json:"body,omitempty"` // capped at MaxRecordedBody
	Truncated bool              `json:"truncated,omitempty"`
}

// Result is what a call did: what was sent, what came back, and the
// operation's output.
type Result struct {
	Request  RecordedRequest   `json:"request"`
	Response *RecordedResponse `json:"response,omitempty"`
	Output   any               `json:"output,omitempty"`
}

// Limits on what a call reads and records. The recorded copy lands in
// workflow history, so it is kept well below Temporal's payload limits.
const (
	MaxResponseBody = 1 << 20
	MaxRecordedBody = 64 << 10
	DefaultTimeout  = 30 * time.Second
	UserAgent       = "hookflow"
)
