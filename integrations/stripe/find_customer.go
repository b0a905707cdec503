package stripe

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/hookflow/hookflow/integrations"
)

// findCustomer looks a customer up by email:
//
//	call: payments.find_customer
//	with:
//	  email: ${{ payload.email }}          # required
//
// GET /v1/customers?email=…&limit=1 (the list, not the search API, which
// lags by up to a minute). Stripe compares the address case-sensitively.
// Output: {found, id, email, name}: found is false (and id null) when no
// customer has the address; the newest wins when several do.
var findCustomer = &integrations.Op{
	Method:   http.MethodGet,
	Path:     "v1/customers",
	Required: []string{"email"},
	Build:    byEmail,
	Output:   listed,
}

// findOrCreateCustomer finds the customer with the address, or creates
// one:
//
//	call: payments.find_or_create_customer
//	with:
//	  email: ${{ payload.email }}          # required: the key it finds by
//	  name, phone, description, metadata   # as create_customer, used when it creates
//
// The list by email, then POST /v1/customers only when nobody has the
// address, so a returning customer's orders reuse their customer.
// Output: {id, email, name, found, created}.
var findOrCreateCustomer = &integrations.Op{
	Path:     "v1/customers",
	Required: []string{"email"},
	Optional: customerFields,
	Build:    customer(true),
	Output: func(r *integrations.Response) (any, error) {
		out, err := object("email", "name")(r)
		if m, ok := out.(map[string]any); ok {
			m["found"], m["created"] = false, true
		}
		return out, err
	},
	Find: &integrations.Op{
		Method: http.MethodGet,
		Path:   "v1/customers",
		Build:  byEmail,
		Output: func(r *integrations.Response) (any, error) {
			out, err := listed(r)
			if m, ok := out.(map[string]any); ok && m["found"] == true {
				m["created"] = false
			}
			return out, err
		},
	},
}

func byEmail(in *integrations.In) (any, error) {
	email, err := address(in)
	if err != nil {
		return nil, err
	}
	in.Query.Set("email", email)
	in.Query.Set("limit", "1")
	return nil, nil
}

// address is with.email, trimmed and checked.
func address(in *integrations.In) (string, error) {
	email, err := in.String("email")
	if err != nil {
		return "", err
	}
	email = strings.TrimSpace(email)
	if !strings.Contains(email, "@") || len(email) > 512 {
		return "", fmt.Errorf("with.email must be an email address")
	}
	return email, nil
}

// listed reads {"object": "list", "data": [customer…]}.
func listed(r *integrations.Response) (any, error) {
	var res struct {
		Data []map[string]any `json:"data"`
	}
	if err := integrations.DecodeJSON(r, &res); err != nil {
		return nil, err
	}
	if len(res.Data) == 0 {
		return map[string]any{"found": false, "id": nil, "email": nil, "name": nil}, nil
	}
	out := pick(res.Data[0], []string{"email", "name"})
	out["found"] = true
	return out, nil
}
