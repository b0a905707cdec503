package sendgrid

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hookflow/hookflow/integrations"
)

// Classify spells out SendGrid's errors, {"errors": [{"message": "…",
// "field": "from.email", "help": …}]}, and reads X-RateLimit-Reset (a Unix
// time) on 429 when there is no Retry-After.
func classify(r *integrations.Response, e *integrations.Error) *integrations.Error {
	var body struct {
		Errors []struct {
			Message string `json:"message"`
			Field   string `json:"field"`
		} `json:"errors"`
	}
	if json.Unmarshal(r.Body, &body) == nil && len(body.Errors) > 0 {
		var parts []string
		for _, x := range body.Errors[:min(len(body.Errors), 3)] {
			m := strings.TrimSpace(x.Message)
			if x.Field != "" {
				m = x.Field + ": " + m
			}
			parts = append(parts, m)
		}
		e.Message = "HTTP " + strconv.Itoa(r.Status) + " " + http.StatusText(r.Status) + ": " + strings.Join(parts, "; ")
	}
	switch r.Status {
	case http.StatusUnauthorized:
		e.Message += " (check the integration's api_key)"
	case http.StatusForbidden:
		e.Message += " (the API key needs the mail.send permission, and from must be a verified sender)"
	case http.StatusTooManyRequests:
		if e.RetryAfter == 0 {
			if reset, err := strconv.ParseInt(r.Header.Get("X-RateLimit-Reset"), 10, 64); err == nil {
				if d := time.Until(time.Unix(reset, 0)); d > 0 && d < 24*time.Hour {
					e.RetryAfter = d.Round(time.Second)
				}
			}
		}
	}
	return e
}
