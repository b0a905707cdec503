package woocommerce

import (
	"github.com/hookflow/hookflow/integrations"
)

// updateStock sets a product's (or a variation's) stock quantity:
//
//	call: store.update_stock
//	with:
//	  product_id: 794              # required
//	  stock_quantity: 12           # required: the new absolute quantity
//	  variation_id: 799            # for a variable product's variation
//
// PUT /wp-json/wc/v3/products/{id} (or …/products/{id}/variations/{vid})
// with {"manage_stock": true, "stock_quantity": n}. Setting an absolute
// quantity is idempotent, so retries are safe.
// Output: {id, stock_quantity, stock_status}.
type updateStock struct{ api *api }

var _ integrations.Operation = (*updateStock)(nil)

func (*updateStock) Required() []string { return []string{"product_id", "stock_quantity"} }

func (o *updateStock) Request(c integrations.Call) (*integrations.Request, error) {
	w := integrations.With(c.Input)
	if err := w.Known("product_id", "variation_id", "stock_quantity"); err != nil {
		return nil, err
	}
	id, err := positiveID(w, "product_id")
	if err != nil {
		return nil, err
	}
	qty, err := w.Int("stock_quantity")
	if err != nil {
		return nil, err
	}
	path := []string{"products", id}
	if w.Has("variation_id") {
		vid, err := positiveID(w, "variation_id")
		if err != nil {
			return nil, err
		}
		path = append(path, "variations", vid)
	}
	return o.api.put(map[string]any{"manage_stock": true, "stock_quantity": qty}, path...)
}

func (*updateStock) Output(r *integrations.Response) (any, error) {
	m, err := decode(r)
	if err != nil {
		return nil, err
	}
	out := map[string]any{"id": m["id"], "stock_quantity": m["stock_quantity"], "stock_status": m["stock_status"]}
	if q, ok := m["stock_quantity"].(float64); ok {
		out["stock_quantity"] = int64(q)
	}
	return out, nil
}

func (*updateStock) Classify(r *integrations.Response, e *integrations.Error) *integrations.Error {
	return classify(r, e)
}
