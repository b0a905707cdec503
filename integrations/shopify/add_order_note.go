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
type addOrderNote struct{ g *graphql }

var _ integrations.Operation = (*addOrderNote)(nil)

const orderUpdateMutation = `mutation orderUpdate($input: OrderInput!) {
  orderUpdate(input: $input) {
    order { id note }
    userErrors { field message }
  }
}`

func (*addOrderNote) Required() []string { return []string{"order_id", "note"} }

func (o *addOrderNote) Request(c integrations.Call) (*integrations.Request, error) {
	w := integrations.With(c.Input)
	if err := w.Known("order_id", "note"); err != nil {
		return nil, err
	}
	id, err := gid(w, "order_id", "Order")
	if err != nil {
		return nil, err
	}
	note, err := w.OptString("note")
	if err != nil {
		return nil, err
	}
	return o.g.request(orderUpdateMutation, map[string]any{"input": map[string]any{"id": id, "note": note}})
}

func (o *addOrderNote) Output(r *integrations.Response) (any, error) {
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
}

func (*addOrderNote) Classify(r *integrations.Response, e *integrations.Error) *integrations.Error {
	return classify(r, e, "write_orders")
}
