package shopify

import (
	"github.com/hookflow/hookflow/integrations"
)

// addOrderNote sets an order's note:
//
//	call: shop.add_order_note
//	with:
//	  order_id: ${{ payload.id }}                     # required
//	  note: "CRM contact ${{ steps.contact.output.id }}"   # required
//
// The orderUpdate mutation. Shopify orders have one note: this replaces it.
// Output: {id, note}.
var addOrderNote = &integrations.Op{
	Required: []string{"order_id", "note"},
	Build: func(in *integrations.In) (any, error) {
		id, err := gid(in, "order_id", "Order")
		if err != nil {
			return nil, err
		}
		note, err := in.OptString("note")
		if err != nil {
			return nil, err
		}
		return graphql(orderUpdateMutation, map[string]any{"input": map[string]any{"id": id, "note": note}}), nil
	},
	Output: func(r *integrations.Response) (any, error) {
		var p struct {
			Order struct {
				ID   string `json:"id"`
				Note string `json:"note"`
			} `json:"order"`
		}
		if err := payload(r, "orderUpdate", "write_orders", &p); err != nil {
			return nil, err
		}
		return map[string]any{"id": p.Order.ID, "note": p.Order.Note}, nil
	},
	Errors: needs("write_orders"),
}

const orderUpdateMutation = `mutation orderUpdate($input: OrderInput!) {
  orderUpdate(input: $input) {
    order { id note }
    userErrors { field message }
  }
}`
