package stripe

import (
	"fmt"

	"github.com/hookflow/hookflow/integrations"
)

// createCustomer creates a customer:
//
//	call: payments.create_customer
//	with:
//	  email: ${{ payload.email }}
//	  name: "${{ payload.customer.first_name }} ${{ payload.customer.last_name }}"
//	  phone: ${{ payload.customer.phone }}
//	  description: "Shop customer ${{ payload.customer.id }}"
//	  metadata: { shop_customer_id: "${{ payload.customer.id }}" }
//
// POST /v1/customers, form-encoded. The Idempotency-Key makes a retry
// within 24 hours answer with the customer the first attempt created.
// Output: {id, email, name}.
var createCustomer = &integrations.Op{
	Path:     "v1/customers",
	Optional: append([]string{"email"}, customerFields...),
	Build:    customer(false),
	Output:   object("email", "name"),
}

// updateCustomer changes a customer's fields:
//
//	call: payments.update_customer
//	with:
//	  customer_id: ${{ steps.customer.output.id }}   # required
//	  email, name, phone, description, metadata      # the fields to change
//
// POST /v1/customers/{customer_id}; fields not given stay. Output:
// {id, email, name}.
var updateCustomer = &integrations.Op{
	Path:     "v1/customers/{customer_id}",
	Required: []string{"customer_id"},
	Optional: append([]string{"email"}, customerFields...),
	Build: func(in *integrations.In) (any, error) {
		if _, err := customer(false)(in); err != nil {
			return nil, err
		}
		if len(in.Form) == 0 {
			return nil, fmt.Errorf("with: give email, name, phone, description or metadata to change")
		}
		return nil, nil
	},
	Output: object("email", "name"),
}

var customerFields = []string{"name", "phone", "description", "metadata"}

// customer reads the customer fields into the form; with needEmail the
// address is required.
func customer(needEmail bool) func(*integrations.In) (any, error) {
	return func(in *integrations.In) (any, error) {
		f := newForm(in)
		if needEmail || in.Has("email") {
			email, err := address(in)
			if err != nil {
				return nil, err
			}
			in.Form.Set("email", email)
		}
		if err := f.strings("name", "phone", "description"); err != nil {
			return nil, err
		}
		return nil, f.metadata()
	}
}
