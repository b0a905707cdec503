package pipedrive

import (
	"github.com/hookflow/hookflow/integrations"
)

// createPerson adds a person:
//
//	call: deals.create_person
//	with:
//	  name: "${{ payload.customer.first_name }} ${{ payload.customer.last_name }}"   # required
//	  email: ${{ payload.email }}          # an address or a list
//	  phone: ${{ payload.phone }}          # a number or a list
//	  org_id: 17
//	  owner_id: 3
//	  fields: { 9dc80c50d78a15643bfc4ca79d76156a73a1ca0e: gold }   # custom fields by key
//
// POST /api/v2/persons. Creating is not idempotent: a retry after a lost
// response can add a second person; find_or_create_person cannot.
// Output: {id, name}.
var createPerson = &integrations.Op{
	Path:     "persons",
	Required: []string{"name"},
	Optional: personFields,
	Build:    person,
	Output:   output("name"),
}

var personFields = []string{"email", "phone", "org_id", "owner_id", "fields"}

// person is the API v2 person body: emails and phones as lists of
// {value, primary, label}, custom fields under custom_fields.
func person(w *integrations.In) (any, error) {
	name, err := w.String("name")
	if err != nil {
		return nil, err
	}
	body := map[string]any{"name": name}
	for f, key := range map[string]string{"email": "emails", "phone": "phones"} {
		vals, err := w.Strings(f)
		if err != nil {
			return nil, err
		}
		if len(vals) == 0 {
			continue
		}
		list := make([]any, len(vals))
		for i, v := range vals {
			list[i] = map[string]any{"value": v, "primary": i == 0, "label": "work"}
		}
		body[key] = list
	}
	if err := ids(w, body, "org_id", "owner_id"); err != nil {
		return nil, err
	}
	return body, customFields(w, body)
}
