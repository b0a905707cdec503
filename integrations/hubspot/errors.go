package hubspot

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/hookflow/hookflow/integrations"
)

// classify adds what HubSpot's answer says beyond its status:
//   - 401: the token is wrong, expired or revoked;
//   - 403 (MISSING_SCOPES): the private app lacks scope (each operation
//     names its own);
//   - 429: HubSpot sends no Retry-After; the ten-second window
//     (X-HubSpot-RateLimit-Interval-Milliseconds) is the delay, except for
//     the daily limit, which the retry policy's backoff outlasts.
func classify(r *integrations.Response, e *integrations.Error) *integrations.Error {
	switch r.Status {
	case http.StatusUnauthorized:
		e.Message += " (check the integration's token: a HubSpot private app access token that is current)"
	case http.StatusTooManyRequests:
		var body struct {
			PolicyName string `json:"policyName"`
		}
		_ = json.Unmarshal(r.Body, &body)
		if body.PolicyName == "DAILY" {
			e.Message += " (daily API limit reached)"
			break
		}
		if e.RetryAfter == 0 {
			if ms, err := strconv.Atoi(r.Header.Get("X-HubSpot-RateLimit-Interval-Milliseconds")); err == nil && ms > 0 {
				e.RetryAfter = time.Duration(ms) * time.Millisecond
			}
		}
	}
	return e
}

// fieldTypeError is the error for a `with` field that must be a scalar.
func fieldTypeError(field string, v any) error {
	return fmt.Errorf("with.%s must be a string or number, got %s", field, integrations.Describe(v))
}
