package whatsapp

import (
	"encoding/json"
	"strconv"

	"github.com/hookflow/hookflow/integrations"
)

// Cloud API error codes (not the HTTP status, which Meta says not to
// build on) that clear by themselves: throughput and rate limits, and the
// service being down or in maintenance.
var retryCodes = map[int]string{
	2:      "the API is temporarily unavailable",
	4:      "the app's API call rate limit",
	80007:  "the WhatsApp Business Account's rate limit",
	130429: "the number's message throughput",
	131000: "something went wrong at WhatsApp",
	131016: "the service is temporarily unavailable",
	131048: "the number's spam rate limit: check its quality rating in WhatsApp Manager",
	131056: "too many messages to this customer in a short time",
	131057: "the business account is in maintenance mode",
	133004: "the server is temporarily unavailable",
}

// Codes that no retry can fix, whatever the status (code 3 comes as 500),
// with what to do.
var permanentCodes = map[int]string{
	0:      "check the integration's token",
	3:      "the app lacks a capability or permission for this call",
	10:     "the token lacks whatsapp_business_messaging permission",
	190:    "the access token has expired: check the integration's token (a system user token does not expire)",
	368:    "the business account is restricted for a policy violation",
	131026: "the message cannot be delivered to this number",
	131031: "the business account is locked",
	131047: "more than 24 hours since the customer last wrote: send a template (send_template) instead",
	131051: "unsupported message type",
	132000: "the number of parameters does not match the template's",
	132001: "no approved template of this name in this language",
	132005: "the text with its parameters is too long",
	132012: "a parameter's format does not match the template's",
	132015: "the template is paused for low quality",
	132016: "the template is disabled",
	133010: "the business phone number is not registered with the Cloud API",
}

// classify reads the Graph API error, {"error": {"message", "type",
// "code", "error_data": {"details"}, "fbtrace_id"}}: the code decides
// whether to retry, and the details say why.
func classify(r *integrations.Response, e *integrations.Error) *integrations.Error {
	var body struct {
		Error struct {
			Code      *int `json:"code"`
			ErrorData struct {
				Details string `json:"details"`
			} `json:"error_data"`
		} `json:"error"`
	}
	if json.Unmarshal(r.Body, &body) != nil || body.Error.Code == nil {
		return e
	}
	code := *body.Error.Code
	note := "code " + strconv.Itoa(code)
	if d := body.Error.ErrorData.Details; d != "" {
		note += ": " + d
	}
	if why, ok := retryCodes[code]; ok {
		e.Retryable = true
		note += "; " + why
	} else if why, ok := permanentCodes[code]; ok || (code >= 200 && code <= 299) {
		if !ok {
			why = "the token lacks a permission"
		}
		e.Retryable, e.RetryAfter = false, 0
		note += "; " + why
	}
	e.Message += " (" + note + ")"
	return e
}
