package shopify

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/hookflow/hookflow/integrations"
)

// answer is a GraphQL response: data, top-level errors, and the cost
// extension that says when a throttled query can run.
type answer struct {
	Data   map[string]json.RawMessage `json:"data"`
	Errors []struct {
		Message    string `json:"message"`
		Extensions struct {
			Code string `json:"code"`
		} `json:"extensions"`
	} `json:"errors"`
	Extensions struct {
		Cost struct {
			Requested float64 `json:"requestedQueryCost"`
			Throttle  struct {
				Available   float64 `json:"currentlyAvailable"`
				RestoreRate float64 `json:"restoreRate"`
			} `json:"throttleStatus"`
		} `json:"cost"`
	} `json:"extensions"`
}

type userError struct {
	Field   []string `json:"field"`
	Message string   `json:"message"`
	Code    string   `json:"code"`
}

// Top-level error codes that clear by themselves.
var retryCodes = map[string]bool{"THROTTLED": true, "INTERNAL_SERVER_ERROR": true, "SERVICE_UNAVAILABLE": true, "TIMEOUT": true}

// payload decodes the answer and returns data[field], or the *Error the
// answer means: THROTTLED retries after the bucket has refilled enough;
// other top-level errors and any userErrors are permanent.
func payload(r *integrations.Response, field, scope string, into any) error {
	data, err := queryData(r, scope)
	if err != nil {
		return err
	}
	raw, ok := data[field]
	if !ok || string(raw) == "null" {
		return &integrations.Error{Status: r.Status, Message: fmt.Sprintf("Shopify GraphQL: no %s in the answer", field)}
	}
	var p struct {
		UserErrors []userError `json:"userErrors"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return fmt.Errorf("Shopify GraphQL: %s: %v", field, err)
	}
	if len(p.UserErrors) > 0 {
		var msgs []string
		for _, u := range p.UserErrors {
			m := u.Message
			if len(u.Field) > 0 {
				m = strings.Join(u.Field, ".") + ": " + m
			}
			msgs = append(msgs, m)
		}
		return &integrations.Error{Status: r.Status, Message: fmt.Sprintf("Shopify %s: %s", field, strings.Join(msgs, "; "))}
	}
	return json.Unmarshal(raw, into)
}

// refill is how long until the query's requested cost is available again.
func refill(a answer) time.Duration {
	c := a.Extensions.Cost
	need := c.Requested - c.Throttle.Available
	if need <= 0 || c.Throttle.RestoreRate <= 0 {
		return time.Second
	}
	return time.Duration(math.Ceil(need/c.Throttle.RestoreRate)) * time.Second
}

// classify adds what to check for HTTP failures.
func classify(r *integrations.Response, e *integrations.Error) *integrations.Error {
	switch r.Status {
	case http.StatusUnauthorized:
		e.Message += " (check the integration's token, an Admin API access token (shpat_…) for this shop, or its oauth client_id and client_secret)"
	case http.StatusPaymentRequired, http.StatusLocked:
		e.Message += " (the shop is frozen or locked)"
	case http.StatusNotFound:
		e.Message += " (check base_url: the shop's admin domain, and api_version)"
	}
	return e
}

// needs names the access scope a 403 of an operation asks for.
func needs(scope string) func(*integrations.Response, *integrations.Error) *integrations.Error {
	return func(r *integrations.Response, e *integrations.Error) *integrations.Error {
		if r.Status == http.StatusForbidden {
			e.Message += fmt.Sprintf(" (the app needs the %s access scope)", scope)
		}
		return e
	}
}

// queryData decodes a GraphQL answer and returns its data, or the *Error
// its top-level errors mean: THROTTLED retries after the bucket has
// refilled enough; other top-level errors are permanent.
func queryData(r *integrations.Response, scope string) (map[string]json.RawMessage, error) {
	var a answer
	if err := integrations.DecodeJSON(r, &a); err != nil {
		return nil, err
	}
	if len(a.Errors) > 0 {
		e := &integrations.Error{Status: r.Status}
		var msgs []string
		for _, x := range a.Errors {
			m := x.Message
			if c := x.Extensions.Code; c != "" {
				m = c + ": " + m
				e.Retryable = e.Retryable || retryCodes[c]
				if c == "THROTTLED" {
					e.RetryAfter = max(e.RetryAfter, refill(a))
				}
				if c == "ACCESS_DENIED" {
					m += fmt.Sprintf(" (the app needs the %s access scope)", scope)
				}
			}
			msgs = append(msgs, m)
		}
		e.Message = "Shopify GraphQL: " + strings.Join(msgs, "; ")
		return nil, e
	}
	return a.Data, nil
}
