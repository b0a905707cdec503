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
// POST /v1/persons. Creating is not idempotent: a retry after a lost
// response can add a second person. Output: {id, name}.
var createPerson = &integrations.Op{
	Path:     "v1/persons",
	Required: []string{"name"},
	Optional: []string{"email", "phone", "org_id", "owner_id", "fields"},
	Build:    person,
	Output:   output("name"),
}

func person(w *integrations.In) (any, error) {
	name, err := w.String("name")
	if err != nil {
		return nil, err
	}
	named := map[string]any{"name": name}
	for _, f := range []string{"email", "phone"} {
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
		named[f] = list
	}
	if err := ids(w, named, "org_id", "owner_id"); err != nil {
		return nil, err
	}
	return merge(w, named)
}

// ids copies numeric id fields into body.
func ids(w *integrations.In, body map[string]any, fields ...string) error {
	for _, f := range fields {
		if !w.Has(f) {
			continue
		}
		id, err := w.Int(f)
		if err != nil {
			return err
		}
		body[f] = id
	}
	return nil
}
