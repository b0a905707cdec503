package salesforce

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/hookflow/hookflow/integrations"
)

// Error codes that clear by themselves: record lock contention, and the
// org's rolling 24-hour API request limit (REQUEST_LIMIT_EXCEEDED, a 403).
var retryCodes = map[string]bool{"UNABLE_TO_LOCK_ROW": true, "REQUEST_LIMIT_EXCEEDED": true, "SERVER_UNAVAILABLE": true}

// classify reads Salesforce's error list, [{"message": "…", "errorCode":
// "INVALID_FIELD", "fields": […]}], into the message and the retry class.
func classify(r *integrations.Response, e *integrations.Error) *integrations.Error {
	var list []struct {
		Message   string   `json:"message"`
		ErrorCode string   `json:"errorCode"`
		Fields    []string `json:"fields"`
	}
	if r.Status == http.StatusMultipleChoices {
		// Upsert: the external ID matched several records; the body lists their URLs.
		e.Message = "HTTP 300 Multiple Choices: the external ID matches more than one record; make the field unique"
		return e
	}
	if json.Unmarshal(r.Body, &list) == nil && len(list) > 0 {
		var parts []string
		for _, x := range list[:min(len(list), 3)] {
			m := x.ErrorCode + ": " + strings.TrimSpace(x.Message)
			if len(x.Fields) > 0 {
				m += " (fields: " + strings.Join(x.Fields, ", ") + ")"
			}
			parts = append(parts, m)
			if retryCodes[x.ErrorCode] {
				e.Retryable = true
			}
		}
		e.Message = fmt.Sprintf("HTTP %d %s: %s", r.Status, http.StatusText(r.Status), strings.Join(parts, "; "))
	}
	if r.Status == http.StatusUnauthorized {
		e.Message += " (check the integration's token: Salesforce access tokens expire with the org's session timeout; oauth has them fetched and renewed)"
	}
	return e
}
