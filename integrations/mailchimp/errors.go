package mailchimp

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/hookflow/hookflow/integrations"
)

// Titles of 400 answers that no retry or rule change can fix, with what
// they mean.
var titles = map[string]string{
	"Forgotten Email Not Subscribed": "the contact was permanently deleted; only the person can sign up again, through a signup form",
	"Member In Compliance State":     "the address is unsubscribed, bounced or under compliance review; Mailchimp will not change it through the API",
	"Invalid Resource":               "Mailchimp refused a field; it also refuses addresses that look fake",
}

// classify reads Mailchimp's problem document, {"type", "title", "status",
// "detail", "instance", "errors": [{"field", "message"}]}: the title and
// each field error are added to the detail the core quotes; 401 and 404
// say which setting to check.
func classify(r *integrations.Response, e *integrations.Error) *integrations.Error {
	var p struct {
		Title  string `json:"title"`
		Errors []struct {
			Field   string `json:"field"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	_ = json.Unmarshal(r.Body, &p)
	var notes []string
	if p.Title != "" {
		notes = append(notes, p.Title)
	}
	for _, fe := range p.Errors[:min(len(p.Errors), 3)] {
		notes = append(notes, fe.Field+": "+fe.Message)
	}
	if why, ok := titles[p.Title]; ok {
		notes = append(notes, why)
	}
	switch r.Status {
	case http.StatusUnauthorized:
		notes = append(notes, "check the integration's api_key and its datacenter suffix")
	case http.StatusNotFound:
		notes = append(notes, "check list_id: the audience id from Audience settings")
	}
	if len(notes) > 0 {
		e.Message += " (" + strings.Join(notes, "; ") + ")"
	}
	return e
}
