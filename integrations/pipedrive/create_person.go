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
type createPerson struct{ api *api }

var _ integrations.Operation = (*createPerson)(nil)

func (*createPerson) Required() []string { return []string{"name"} }

func (o *createPerson) Request(c integrations.Call) (*integrations.Request, error) {
	w := integrations.With(c.Input)
	if err := w.Known("name", "email", "phone", "org_id", "owner_id", "fields"); err != nil {
		return nil, err
	}
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
	body, err := merge(w, named)
	if err != nil {
		return nil, err
	}
	return o.api.post("persons", body)
}

func (*createPerson) Output(r *integrations.Response) (any, error) { return output(r, "name") }

func (*createPerson) Classify(r *integrations.Response, e *integrations.Error) *integrations.Error {
	return classify(r, e)
}

// ids copies numeric id fields into body.
func ids(w integrations.With, body map[string]any, fields ...string) error {
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
