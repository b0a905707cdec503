package woocommerce

import (
	"fmt"
	"maps"
	"net/http"

	"github.com/hookflow/hookflow/integrations"
)

// updateOrder changes an order:
//
//	call: store.update_order
//	with:
//	  order_id: ${{ payload.id }}           # required
//	  status: completed                     # pending, processing, on-hold, completed, …
//	  fields: { customer_note: "…", meta_data: [{key: crm_id, value: "${{ steps.contact.output.id }}"}] }
//
// PUT /wp-json/wc/v3/orders/{id} with status and/or any order fields.
// Output: {id, status, number}.
var updateOrder = &integrations.Op{
	Method:   http.MethodPut,
	Path:     "orders/{order_id}",
	Required: []string{"order_id"},
	Optional: []string{"status", "fields"},
	Build: func(in *integrations.In) (any, error) {
		if err := positiveIDs(in, "order_id"); err != nil {
			return nil, err
		}
		fields, err := in.Map("fields")
		if err != nil {
			return nil, err
		}
		body := maps.Clone(fields)
		if body == nil {
			body = map[string]any{}
		}
		status, err := in.OptString("status")
		if err != nil {
			return nil, err
		}
		if status != "" {
			if _, ok := fields["status"]; ok {
				return nil, fmt.Errorf("with.status and with.fields.status: give one")
			}
			body["status"] = status
		}
		if len(body) == 0 {
			return nil, fmt.Errorf("with.status or with.fields is required: there is nothing to update")
		}
		return body, nil
	},
	Output: fields("id", "status", "number"),
}

// positiveIDs reads numeric WooCommerce ids into the path parameters.
func positiveIDs(in *integrations.In, names ...string) error {
	for _, f := range names {
		n, err := in.Int(f)
		if err != nil {
			return err
		}
		if n <= 0 {
			return fmt.Errorf("with.%s must be a positive id", f)
		}
		in.Params[f] = fmt.Sprint(n)
	}
	return nil
}
