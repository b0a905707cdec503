package woocommerce

import (
	"fmt"
	"maps"

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
type updateOrder struct{ api *api }

var _ integrations.Operation = (*updateOrder)(nil)

func (*updateOrder) Required() []string { return []string{"order_id"} }

func (o *updateOrder) Request(c integrations.Call) (*integrations.Request, error) {
	w := integrations.With(c.Input)
	if err := w.Known("order_id", "status", "fields"); err != nil {
		return nil, err
	}
	id, err := positiveID(w, "order_id")
	if err != nil {
		return nil, err
	}
	fields, err := w.Map("fields")
	if err != nil {
		return nil, err
	}
	body := maps.Clone(fields)
	if body == nil {
		body = map[string]any{}
	}
	status, err := w.OptString("status")
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
	return o.api.put(body, "orders", id)
}

func (*updateOrder) Output(r *integrations.Response) (any, error) {
	m, err := decode(r)
	if err != nil {
		return nil, err
	}
	return map[string]any{"id": m["id"], "status": m["status"], "number": m["number"]}, nil
}

func (*updateOrder) Classify(r *integrations.Response, e *integrations.Error) *integrations.Error {
	return classify(r, e)
}

// positiveID reads a numeric WooCommerce id.
func positiveID(w integrations.With, field string) (string, error) {
	n, err := w.Int(field)
	if err != nil {
		return "", err
	}
	if n <= 0 {
		return "", fmt.Errorf("with.%s must be a positive id", field)
	}
	return fmt.Sprint(n), nil
}
