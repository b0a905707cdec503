package twilio

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/hookflow/hookflow/integrations"
)

// Classify puts Twilio's error code in the message, with its reference
// page: {"code": 21211, "message": "The 'To' number … is not a valid phone
// number.", "more_info": "https://www.twilio.com/docs/errors/21211"}.
// 20003 (401) is the credential; 20429 and 5xx retry.
func classify(r *integrations.Response, e *integrations.Error) *integrations.Error {
	var body struct {
		Code     int    `json:"code"`
		Message  string `json:"message"`
		MoreInfo string `json:"more_info"`
	}
	if json.Unmarshal(r.Body, &body) == nil && body.Code != 0 {
		e.Message = fmt.Sprintf("HTTP %d %s: Twilio error %d: %s", r.Status, http.StatusText(r.Status), body.Code, strings.TrimSpace(body.Message))
		if body.MoreInfo != "" {
			e.Message += " (" + body.MoreInfo + ")"
		}
	}
	if r.Status == http.StatusUnauthorized || r.Status == http.StatusForbidden {
		e.Message += " (check the integration's account_sid and auth_token, or api_key_sid and api_key_secret)"
	}
	return e
}
