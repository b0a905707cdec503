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
// Output: {id, tags}.
type tagOrder struct{ g *graphql }

var _ integrations.Operation = (*tagOrder)(nil)

const tagsAddMutation = `mutation tagsAdd($id: ID!, $tags: [String!]!) {
  tagsAdd(id: $id, tags: $tags) {
    node { id }
    userErrors { field message }
  }
}`

func (*tagOrder) Required() []string { return []string{"order_id", "tags"} }

func (o *tagOrder) Request(c integrations.Call) (*integrations.Request, error) {
	w := integrations.With(c.Input)
	if err := w.Known("order_id", "tags"); err != nil {
		return nil, err
	}
	id, err := gid(w, "order_id", "Order")
	if err != nil {
		return nil, err
	}
	tags, err := w.Strings("tags")
	if err != nil {
		return nil, err
	}
	if len(tags) == 0 {
		return nil, fmt.Errorf("with.tags must name at least one tag")
	}
	return o.g.request(tagsAddMutation, map[string]any{"id": id, "tags": tags})
}

func (o *tagOrder) Output(r *integrations.Response) (any, error) {
	var p struct {
		Node struct {
			ID string `json:"id"`
		} `json:"node"`
	}
	if err := payload(r, "tagsAdd", "write_orders", &p); err != nil {
		return nil, err
	}
	return map[string]any{"id": p.Node.ID}, nil
}

func (*tagOrder) Classify(r *integrations.Response, e *integrations.Error) *integrations.Error {
	return classify(r, e, "write_orders")
}
