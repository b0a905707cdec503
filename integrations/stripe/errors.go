package stripe

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/hookflow/hookflow/integrations"
)

// classify adds what Stripe's answer says beyond its status
// (https://docs.stripe.com/error-low-level, checked 2026-11-29):
//   - the error's type, code, decline_code and param, so an operator sees
//     card_declined or resource_missing without opening the dashboard;
//   - Stripe-Should-Retry: true or false overrides the status, as Stripe's
//     own libraries do (a 409 lock or a 429 lock_timeout says true);
//   - 409 without that header: another request with the same
//     Idempotency-Key is still running, or the object is locked, so a
//     retry gets an answer (Stripe's libraries retry every 409);
//   - a 400 idempotency_error: the key was first used with other
//     parameters (a replay after the rule or the event's data changed):
//     permanent.
//
// A replayed 5xx (Idempotent-Replayed: true) is already permanent: the
// core makes it so for every kind, and no header here undoes it.
func classify(r *integrations.Response, e *integrations.Error) *integrations.Error {
	var body struct {
		Error struct {
			Type        string `json:"type"`
			Code        string `json:"code"`
			DeclineCode string `json:"decline_code"`
			Param       string `json:"param"`
		} `json:"error"`
	}
	_ = json.Unmarshal(r.Body, &body)
	se := body.Error
	if detail := strings.Join(nonEmpty(se.Type, se.Code, se.DeclineCode), "/"); detail != "" {
		e.Message += " (" + detail
		if se.Param != "" {
			e.Message += ", param " + se.Param
		}
		e.Message += ")"
	}
	replayed := strings.EqualFold(r.Header.Get("Idempotent-Replayed"), "true")
	switch should := strings.ToLower(r.Header.Get("Stripe-Should-Retry")); {
	case should == "false":
		e.Retryable, e.RetryAfter = false, 0
	case should == "true" && !replayed:
		e.Retryable = true
	case r.Status == http.StatusConflict && !replayed:
		// Another request with this key is still running, or the object
		// is locked: Stripe's libraries retry every 409.
		e.Retryable = true
	case se.Type == "idempotency_error":
		e.Retryable, e.RetryAfter = false, 0
		e.Message += " (Stripe saw this Idempotency-Key with other parameters within the last 24 hours: the step's input changed since its first attempt)"
	}
	switch r.Status {
	case http.StatusUnauthorized:
		e.Message += " (check the integration's api_key: a current secret key sk_… or restricted key rk_…)"
	case http.StatusForbidden:
		e.Message += " (the restricted key lacks write permission for this resource)"
	}
	return e
}

func nonEmpty(vals ...string) []string {
	var out []string
	for _, v := range vals {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}
