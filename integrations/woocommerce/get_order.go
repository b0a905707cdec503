package woocommerce

import (
	"fmt"
	"maps"
	"net/http"

	"github.com/hookflow/hookflow/integrations"
)

// getOrder reads an order:
//
//	call: store.get_order
//	with:
//	  order_id: ${{ payload.id }}     # required
//
// GET /wp-json/wc/v3/orders/{id}. Output: {found, id, status, number,
// total, currency, customer_id, email}: found is false (and id null) on
// WooCommerce's 404 (woocommerce_rest_shop_order_invalid_id).
var getOrder = &integrations.Op{
	Method:   http.MethodGet,
	Path:     "orders/{order_id}",
	Required: []string{"order_id"},
	Build: func(in *integrations.In) (any, error) {
		return nil, positiveIDs(in, "order_id")
	},
	Output: func(r *integrations.Response) (any, error) {
		out, err := fields("id", "status", "number", "total", "currency", "customer_id", "billing")(r)
		if err != nil {
			return nil, err
		}
		m := out.(map[string]any)
		billing, _ := m["billing"].(map[string]any)
		delete(m, "billing")
		m["email"], m["found"] = billing["email"], true
		return m, nil
	},
	NotFound: map[string]any{"found": false, "id": nil},
}

// addOrderNote adds a note to an order:
//
//	call: store.add_order_note
//	with:
//	  order_id: ${{ payload.id }}                      # required
//	  note: "CRM contact ${{ steps.contact.output.id }}"    # required
//	  customer_note: false                             # true: the customer sees it (and is emailed)
//
// POST /wp-json/wc/v3/orders/{id}/notes. Adding is not idempotent: a retry
// after a lost answer adds the note twice. Output: {id, note}.
var addOrderNote = &integrations.Op{
	Path:     "orders/{order_id}/notes",
	Required: []string{"order_id", "note"},
	Optional: []string{"customer_note"},
	Build: func(in *integrations.In) (any, error) {
		if err := positiveIDs(in, "order_id"); err != nil {
			return nil, err
		}
		note, err := in.String("note")
		if err != nil {
			return nil, err
		}
		body := map[string]any{"note": note}
		v, set, err := in.Bool("customer_note")
		if set {
			body["customer_note"] = v
		}
		return body, err
	},
	Output: fields("id", "note"),
}

// updateCustomer changes a customer:
//
//	call: store.update_customer
//	with:
//	  customer_id: ${{ payload.customer_id }}     # required
//	  fields: { first_name: Ada, billing: { phone: "…" }, meta_data: [{key: crm_id, value: "…"}] }   # required
//
// PUT /wp-json/wc/v3/customers/{id} with the fields given. Output: {id,
// email, first_name, last_name}.
var updateCustomer = &integrations.Op{
	Method:   http.MethodPut,
	Path:     "customers/{customer_id}",
	Required: []string{"customer_id", "fields"},
	Build: func(in *integrations.In) (any, error) {
		if err := positiveIDs(in, "customer_id"); err != nil {
			return nil, err
		}
		f, err := in.Map("fields")
		if err != nil {
			return nil, err
		}
		if len(f) == 0 {
			return nil, fmt.Errorf("with.fields must set at least one customer field")
		}
		return maps.Clone(f), nil
	},
	Output: fields("id", "email", "first_name", "last_name"),
}
