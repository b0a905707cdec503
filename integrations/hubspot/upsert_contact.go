package hubspot

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/hookflow/hookflow/integrations"
)

// upsertContact creates or updates the contact with an email address:
//
//	call: crm.upsert_contact
//	with:
//	  email: ${{ payload.email }}                        # required
//	  properties: { firstname: "${{ payload.first_name }}", lifecyclestage: customer }
//
// It is POST /crm/v3/objects/contacts/batch/upsert with one input and
// idProperty email, so the same call on every retry leaves one contact.
// Output: {id, created, properties, created_at, updated_at}.
var upsertContact = &integrations.Op{
	Path:     "crm/v3/objects/contacts/batch/upsert",
	Required: []string{"email"},
	Optional: []string{"properties"},
	Build: func(in *integrations.In) (any, error) {
		email, err := in.String("email")
		if err != nil {
			return nil, err
		}
		email = strings.TrimSpace(email)
		if !strings.Contains(email, "@") {
			return nil, fmt.Errorf("with.email must be an email address")
		}
		props, err := in.Scalars("properties")
		if err != nil {
			return nil, err
		}
		if props == nil {
			props = map[string]string{}
		}
		// A created contact gets the address as its email property.
		if _, ok := props["email"]; !ok {
			props["email"] = email
		}
		type input struct {
			ID         string            `json:"id"`
			IDProperty string            `json:"idProperty"`
			Properties map[string]string `json:"properties"`
		}
		return map[string]any{"inputs": []input{{ID: email, IDProperty: "email", Properties: props}}}, nil
	},
	Output: upserted,
	Errors: scope("crm.objects.contacts.write"),
}

// upserted reads the batch answer. HubSpot answers 207 Multi-Status when an
// input failed; with one input that is this contact, and a permanent error.
func upserted(r *integrations.Response) (any, error) {
	var res struct {
		Results []object `json:"results"`
		Errors  []struct {
			Message  string `json:"message"`
			Category string `json:"category"`
		} `json:"errors"`
	}
	if err := integrations.DecodeJSON(r, &res); err != nil {
		return nil, err
	}
	if len(res.Errors) > 0 || len(res.Results) == 0 {
		msg := "HubSpot upserted no contact"
		if len(res.Errors) > 0 {
			msg = strings.TrimSpace(res.Errors[0].Category + ": " + res.Errors[0].Message)
		}
		return nil, &integrations.Error{Status: r.Status, Message: fmt.Sprintf("HTTP %d %s: %s", r.Status, http.StatusText(r.Status), msg)}
	}
	out := res.Results[0].output()
	out["created"] = res.Results[0].New != nil && *res.Results[0].New
	return out, nil
}
