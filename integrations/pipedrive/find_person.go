package pipedrive

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/hookflow/hookflow/integrations"
)

// findPerson looks a person up by email:
//
//	call: deals.find_person
//	with:
//	  email: ${{ payload.email }}          # required
//
// GET /api/v2/persons/search?term=…&fields=email&exact_match=true.
// Output: {found, id, name}: found is false (and id null) when no person
// has the address; the best match wins when several do.
var findPerson = &integrations.Op{
	Method:   http.MethodGet,
	Path:     "persons/search",
	Required: []string{"email"},
	Build:    searchByEmail,
	Output:   searched,
}

// findOrCreatePerson finds the person with the email address, or creates
// one:
//
//	call: deals.find_or_create_person
//	with:
//	  name: "${{ payload.customer.first_name }} ${{ payload.customer.last_name }}"   # required
//	  email: ${{ payload.email }}          # required: the key it finds by
//	  phone, org_id, owner_id, fields      # as create_person, used when it creates
//
// A search, then POST /api/v2/persons only when nothing was found, so each
// order of a returning customer reuses their person, and a retry after a
// lost answer finds the person the first attempt created.
// Output: {id, name, found, created}.
var findOrCreatePerson = &integrations.Op{
	Path:     "persons",
	Required: []string{"name", "email"},
	Optional: []string{"phone", "org_id", "owner_id", "fields"},
	Build:    person,
	Output: func(r *integrations.Response) (any, error) {
		out, err := output("name")(r)
		if m, ok := out.(map[string]any); ok {
			m["found"], m["created"] = false, true
		}
		return out, err
	},
	Find: &integrations.Op{
		Method: http.MethodGet,
		Path:   "persons/search",
		Build:  searchByEmail,
		Output: func(r *integrations.Response) (any, error) {
			out, err := searched(r)
			if m, ok := out.(map[string]any); ok && m["found"] == true {
				m["created"] = false
			}
			return out, err
		},
	},
}

func searchByEmail(w *integrations.In) (any, error) {
	emails, err := w.Strings("email")
	if err != nil {
		return nil, err
	}
	if len(emails) == 0 {
		return nil, fmt.Errorf("with.email is required")
	}
	email := strings.ToLower(emails[0])
	if !strings.Contains(email, "@") {
		return nil, fmt.Errorf("with.email must be an email address")
	}
	w.Query.Set("term", email)
	w.Query.Set("fields", "email")
	w.Query.Set("exact_match", "true")
	return nil, nil
}

// searched reads {"data": {"items": [{"result_score", "item": {id, name}}]}}.
func searched(r *integrations.Response) (any, error) {
	var res struct {
		Success bool `json:"success"`
		Data    struct {
			Items []struct {
				Item struct {
					ID   any    `json:"id"`
					Name string `json:"name"`
				} `json:"item"`
			} `json:"items"`
		} `json:"data"`
	}
	if err := integrations.DecodeJSON(r, &res); err != nil {
		return nil, err
	}
	if !res.Success {
		return nil, &integrations.Error{Status: r.Status, Message: fmt.Sprintf("HTTP %d: Pipedrive: the search did not succeed", r.Status)}
	}
	if len(res.Data.Items) == 0 {
		return map[string]any{"found": false, "id": nil, "name": nil}, nil
	}
	it := res.Data.Items[0].Item
	return map[string]any{"found": true, "id": id(it.ID), "name": it.Name}, nil
}
