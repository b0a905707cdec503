package schema

// The Go types of hookflow's files, for the schema only: the loaders read
// the files themselves (with line and column for every error). Field names
// are the YAML keys; descriptions are what an editor shows on hover.

// Project is hookflow.yaml.
type Project struct {
	Rules            string                     `json:"rules,omitempty" jsonschema_description:"folder of rule files (*.yaml; *_test.yaml are rule tests); default ./rules"`
	Outbound         *Outbound                  `json:"outbound,omitempty" jsonschema_description:"outbound calls: which private networks integrations may reach"`
	Triggers         map[string]Trigger         `json:"triggers,omitempty" jsonschema_description:"webhook endpoints by name: POST /hooks/{name}"`
	Integrations     map[string]Integration     `json:"integrations,omitempty" jsonschema_description:"where rules send: integration name → kind and settings; steps call name.operation"`
	Vars             map[string]any             `json:"vars,omitempty" jsonschema_description:"values rules read as vars.<name>"`
	Admin            *Admin                     `json:"admin,omitempty" jsonschema_description:"the admin API (POST /runs/{workflow_id}/signals/{name})"`
	Inspector        *Inspector                 `json:"inspector,omitempty" jsonschema_description:"canned answers of hookflow dev's request inspector"`
	SearchAttributes map[string]SearchAttribute `json:"search_attributes,omitempty" jsonschema_description:"extra search attributes from the payload, to find runs in the Web UI"`
	Health           *Health                    `json:"health,omitempty" jsonschema_description:"who hears when an integration's health check changes state"`
	Encryption       *Encryption                `json:"encryption,omitempty" jsonschema_description:"encrypt payloads in Temporal's history, with a codec endpoint for the Web UI"`
}

// Outbound is the outbound section.
type Outbound struct {
	AllowNetworks []string `json:"allow_networks,omitempty" jsonschema_description:"CIDRs exempt from the guard against private, loopback and link-local addresses, e.g. 127.0.0.0/8 in development"`
}

// Trigger is one webhook endpoint.
type Trigger struct {
	Verify          Verify            `json:"verify" jsonschema_description:"how requests are authenticated; scheme none must be written out"`
	EventID         Expr              `json:"event_id,omitempty" jsonschema_description:"expression for the event id (default per scheme); the workflow id is <trigger>/<event id>"`
	EventType       Expr              `json:"event_type,omitempty" jsonschema_description:"expression for the event type (default per scheme)"`
	Schema          map[string]string `json:"schema,omitempty" jsonschema_description:"validator/v10 tags by payload path, e.g. email: required,email; failures answer 422"`
	Body            string            `json:"body,omitempty" jsonschema:"enum=json,enum=form" jsonschema_description:"body format: json (default) or form (application/x-www-form-urlencoded)"`
	BodyLimit       Size              `json:"body_limit,omitempty" jsonschema_description:"largest body accepted (default 1MiB); larger answers 413"`
	RateLimit       string            `json:"rate_limit,omitempty" jsonschema_description:"requests per second or minute, e.g. 20/s or 600/m; over it answers 429 with Retry-After"`
	Burst           Int               `json:"burst,omitempty" jsonschema_description:"requests allowed at once above rate_limit"`
	AllowIPs        []string          `json:"allow_ips,omitempty" jsonschema_description:"CIDRs or addresses requests may come from; empty allows all"`
	DedupeWindow    Duration          `json:"dedupe_window,omitempty" jsonschema_description:"how long a body's sha256 is remembered to answer a replayed body with its first run (default 24h for schemes that sign no timestamp; 0 turns it off)"`
	Correlate       Expr              `json:"correlate,omitempty" jsonschema_description:"expression for the key that routes this trigger's events to runs waiting in wait_for"`
	CorrelateBuffer Duration          `json:"correlate_buffer,omitempty" jsonschema_description:"how long a correlated event waits for a run to start waiting for it (default 24h)"`
}

// Verify is a trigger's verify section.
type Verify struct {
	Scheme          string   `json:"scheme" jsonschema:"enum=standard,enum=github,enum=stripe,enum=shopify,enum=slack,enum=hubspot,enum=woocommerce,enum=hmac,enum=bearer,enum=basic,enum=none" jsonschema_description:"the signature scheme the sender uses"`
	Secret          Strings  `json:"secret,omitempty" jsonschema_description:"the secret, or a list while rotating (any one verifies); write ${NAME} to read it from the environment"`
	Tolerance       Duration `json:"tolerance,omitempty" jsonschema_description:"clock skew accepted both ways for schemes that sign a timestamp (default 5m)"`
	Header          string   `json:"header,omitempty" jsonschema_description:"hmac: the signature header"`
	Algorithm       string   `json:"algorithm,omitempty" jsonschema:"enum=sha256,enum=sha1,enum=sha512" jsonschema_description:"hmac: the hash (default sha256)"`
	Encoding        string   `json:"encoding,omitempty" jsonschema:"enum=hex,enum=base64" jsonschema_description:"hmac: the signature's encoding (default hex)"`
	Prefix          string   `json:"prefix,omitempty" jsonschema_description:"hmac: text before the signature, e.g. sha256="`
	TimestampHeader string   `json:"timestamp_header,omitempty" jsonschema_description:"hmac: header holding unix seconds, checked against tolerance"`
	Content         string   `json:"content,omitempty" jsonschema_description:"hmac: what is signed, default {body}; placeholders {body} {timestamp} {method} {url}"`
}

// Integration is one outbound integration. Besides these common fields
// each kind has its own (url, base_url, token, …): see docs/integrations.md.
type Integration struct {
	Kind            string       `json:"kind" jsonschema_description:"the kind of integration: see docs/integrations.md"`
	Timeout         Duration     `json:"timeout,omitempty" jsonschema_description:"one attempt's time limit"`
	Retry           *Retry       `json:"retry,omitempty" jsonschema_description:"how failed calls are retried (network errors, 408, 429, 5xx)"`
	HealthCheck     *HealthCheck `json:"health_check,omitempty" jsonschema_description:"a request that tells whether the integration is up"`
	RateLimit       string       `json:"rate_limit,omitempty" jsonschema_description:"calls per second or minute across all workers, e.g. 10/s"`
	Concurrency     Int          `json:"concurrency,omitempty" jsonschema_description:"calls at once per worker"`
	RecordBodyLimit Int          `json:"record_body_limit,omitempty" jsonschema_description:"bytes of each request and response kept in the run's history"`
}

// HealthCheck is an integration's health_check.
type HealthCheck struct {
	URL      string   `json:"url,omitempty" jsonschema_description:"URL to probe (default: the integration's base URL)"`
	Method   string   `json:"method,omitempty" jsonschema_description:"HTTP method (default GET)"`
	Interval Duration `json:"interval,omitempty" jsonschema_description:"time between probes"`
}

// Retry is a retry policy, of an integration or a step.
type Retry struct {
	Initial     Duration `json:"initial,omitempty" jsonschema_description:"first delay (default 1s)"`
	Backoff     Number   `json:"backoff,omitempty" jsonschema_description:"factor between delays (default 2)"`
	MaxInterval Duration `json:"max_interval,omitempty" jsonschema_description:"longest delay (default 10m)"`
	MaxAttempts Int      `json:"max_attempts,omitempty" jsonschema_description:"attempts in all; 0 is bounded by expire only"`
	Expire      Duration `json:"expire,omitempty" jsonschema_description:"time across all attempts (default 24h)"`
}

// Admin is the admin section.
type Admin struct {
	Token string `json:"token,omitempty" jsonschema_description:"bearer token for the admin API; none disables it"`
}

// Inspector is the inspector section.
type Inspector struct {
	Responses map[string]InspectorResponse `json:"responses,omitempty" jsonschema_description:"canned answer by bin or bin/path prefix (the longest prefix wins)"`
}

// InspectorResponse is one canned answer.
type InspectorResponse struct {
	Status  Int               `json:"status,omitempty" jsonschema_description:"HTTP status (default 200)"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    any               `json:"body,omitempty" jsonschema_description:"the body: a string as it is, anything else as JSON; {{seq}} is the request's number"`
}

// SearchAttribute is an expression, or a type and an expression (see
// its JSONSchema method).
type SearchAttribute struct{}

// Health is the health section.
type Health struct {
	Notify string `json:"notify" jsonschema_description:"integration.operation called when a health check changes state"`
	With   any    `json:"with,omitempty" jsonschema_description:"the operation's input; templates see the state change"`
}

// Encryption is the encryption section.
type Encryption struct {
	Keys         string   `json:"keys,omitempty" jsonschema_description:"the key ring, e.g. ${HOOKFLOW_CODEC_KEYS}"`
	Token        string   `json:"token,omitempty" jsonschema_description:"bearer token for the codec endpoint"`
	AllowOrigins []string `json:"allow_origins,omitempty" jsonschema_description:"Web UI origins allowed to call the codec endpoint"`
}

// Rule is a rule file.
type Rule struct {
	Name        string  `json:"name" jsonschema_description:"the rule's name, unique in the project"`
	Description string  `json:"description,omitempty"`
	On          Strings `json:"on" jsonschema_description:"the trigger or triggers whose events the rule sees"`
	When        Expr    `json:"when,omitempty" jsonschema_description:"condition on the event; the rule runs when true (default: always)"`
	Steps       []Step  `json:"steps" jsonschema_description:"what the rule does; steps without needs run in parallel"`
	OnFailure   []Step  `json:"on_failure,omitempty" jsonschema_description:"steps run when a step finally fails; failure.step and failure.message say which and why"`
	OnCancel    []Step  `json:"on_cancel,omitempty" jsonschema_description:"steps run when an operator cancels the run"`
}

// Step is one step of a rule.
type Step struct {
	ID              string   `json:"id,omitempty" jsonschema_description:"the step's id: steps.<id>.output in later templates"`
	Call            string   `json:"call,omitempty" jsonschema_description:"integration.operation, e.g. crm.upsert_contact"`
	Sleep           Duration `json:"sleep,omitempty" jsonschema_description:"a durable timer"`
	WaitFor         *WaitFor `json:"wait_for,omitempty" jsonschema_description:"wait for a signal or a correlated event"`
	Needs           []string `json:"needs,omitempty" jsonschema_description:"ids of steps that must finish first"`
	If              Expr     `json:"if,omitempty" jsonschema_description:"run the step only when true"`
	With            any      `json:"with,omitempty" jsonschema_description:"the operation's input; ${{ expr }} templates anywhere"`
	Retry           *Retry   `json:"retry,omitempty"`
	Timeout         Duration `json:"timeout,omitempty" jsonschema_description:"one attempt's time limit"`
	ContinueOnError Bool     `json:"continue_on_error,omitempty" jsonschema_description:"a failure of this step does not fail the rule"`
}

// WaitFor is a step's wait_for.
type WaitFor struct {
	Signal   string   `json:"signal,omitempty" jsonschema_description:"the signal's name (hookflow signal, POST /runs/{id}/signals/{name})"`
	Event    string   `json:"event,omitempty" jsonschema_description:"the event type of a correlated event to wait for"`
	Triggers []string `json:"triggers,omitempty" jsonschema_description:"triggers a correlated event may come from (default: the run's own)"`
	Timeout  Duration `json:"timeout,omitempty" jsonschema_description:"how long to wait; a timeout is an outcome (steps.<id>.timed_out)"`
	Match    Expr     `json:"match,omitempty" jsonschema_description:"condition on signal (the signal's payload or the event) to accept it"`
}

// RuleTests is a rule-test file (*_test.yaml beside the rules).
type RuleTests struct {
	Tests []RuleTest `json:"tests" jsonschema_description:"the cases hookflow test runs"`
}

// RuleTest is one case.
type RuleTest struct {
	Name    string         `json:"name"`
	Trigger string         `json:"trigger" jsonschema_description:"the trigger the event arrives on"`
	Event   TestEvent      `json:"event"`
	Outputs map[string]any `json:"outputs,omitempty" jsonschema_description:"stubbed outputs by rule/step or step id (a wait_for step receives it as the signal)"`
	Expect  *Expect        `json:"expect,omitempty"`
}

// TestEvent is a case's event.
type TestEvent struct {
	ID         string            `json:"id,omitempty"`
	Type       string            `json:"type,omitempty"`
	ReceivedAt string            `json:"received_at,omitempty" jsonschema:"format=date-time"`
	Headers    map[string]string `json:"headers,omitempty"`
	Payload    any               `json:"payload,omitempty"`
	File       string            `json:"file,omitempty" jsonschema_description:"a JSON event file, relative to this file"`
}

// Expect is what a case expects.
type Expect struct {
	Rules    []string           `json:"rules,omitempty" jsonschema_description:"the rules that match"`
	Requests map[string]Request `json:"requests,omitempty" jsonschema_description:"expected requests by rule/step"`
	Skipped  []string           `json:"skipped,omitempty" jsonschema_description:"the steps (rule/step) that are skipped, by their if or a failed need"`
}

// Request is an expected request.
type Request struct {
	Method  string            `json:"method,omitempty"`
	URL     string            `json:"url,omitempty"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    any               `json:"body,omitempty"`
}
