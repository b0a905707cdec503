package woocommerce

import (
	"net/http"

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
var updateStock = &integrations.Op{
	Method:   http.MethodPut,
	Path:     "products/{product_id}",
	Required: []string{"product_id", "stock_quantity"},
	Optional: []string{"variation_id"},
	Build: func(in *integrations.In) (any, error) {
		if err := positiveIDs(in, "product_id"); err != nil {
			return nil, err
		}
		qty, err := in.Int("stock_quantity")
		if err != nil {
			return nil, err
		}
		if in.Has("variation_id") {
			if err := positiveIDs(in, "variation_id"); err != nil {
				return nil, err
			}
			in.Path = "products/{product_id}/variations/{variation_id}"
		}
		return map[string]any{"manage_stock": true, "stock_quantity": qty}, nil
	},
	Output: fields("id", "stock_quantity", "stock_status"),
}
