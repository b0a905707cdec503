package shopify

import (
	"fmt"

	"github.com/hookflow/hookflow/integrations"
)

// tagOrder adds tags to an order (existing tags stay):
//
//	call: shop.tag_order
//	with:
//	  order_id: ${{ payload.id }}     # required: 5678 or gid://shopify/Order/5678
//	  tags: [vip, paid]               # required: a list or "vip, paid"
//
// The tagsAdd mutation; adding a tag twice is harmless, so retries are safe.
// Output: {id}.
var tagOrder = &integrations.Op{
	Required: []string{"order_id", "tags"},
	Build: func(in *integrations.In) (any, error) {
		id, err := gid(in, "order_id", "Order")
		if err != nil {
			return nil, err
		}
		tags, err := in.Strings("tags")
		if err != nil {
			return nil, err
		}
		if len(tags) == 0 {
			return nil, fmt.Errorf("with.tags must name at least one tag")
		}
		return graphql(tagsAddMutation, map[string]any{"id": id, "tags": tags}), nil
	},
	Output: func(r *integrations.Response) (any, error) {
		var p struct {
			Node struct {
				ID string `json:"id"`
			} `json:"node"`
		}
		if err := payload(r, "tagsAdd", "write_orders", &p); err != nil {
			return nil, err
		}
		return map[string]any{"id": p.Node.ID}, nil
	},
	Errors: needs("write_orders"),
}

const tagsAddMutation = `mutation tagsAdd($id: ID!, $tags: [String!]!) {
  tagsAdd(id: $id, tags: $tags) {
    node { id }
    userErrors { field message }
  }
}`
