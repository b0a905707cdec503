package shopify

import (
	"fmt"

	"github.com/hookflow/hookflow/integrations"
)

// adjustInventory changes an item's quantity at a location by a delta:
//
//	call: shop.adjust_inventory
//	with:
//	  inventory_item_id: ${{ payload.inventory_item_id }}   # required
//	  location_id: 655441491                                # required
//	  delta: -2                                             # required, not 0
//	  reason: correction                                    # default correction
//	  name: available                                       # default available
//	  reference_document_uri: "hookflow://orders/${{ payload.id }}"
//	  change_from_quantity: 10                              # compare-and-set: the quantity expected before
//
// The inventoryAdjustQuantities mutation with @idempotent(key:) set to the
// step's idempotency key, as Shopify requires from 2026-04: a retry of a
// step Shopify already applied returns the first result instead of
// adjusting twice. changeFromQuantity is sent on every change (2026-04
// requires it): the given quantity, so Shopify refuses the change if the
// stock moved meanwhile (CHANGE_FROM_QUANTITY_STALE), or null to opt out.
// Output: {id (the adjustment group), changes: [{name, delta,
// quantity_after}]}.
var adjustInventory = &integrations.Op{
	Required: []string{"inventory_item_id", "location_id", "delta"},
	Optional: []string{"reason", "name", "reference_document_uri", "change_from_quantity"},
	Build:    adjustRequest,
	Output:   adjusted,
	Errors:   needs("write_inventory"),
}

const inventoryAdjustMutation = `mutation inventoryAdjustQuantities($input: InventoryAdjustQuantitiesInput!, $idempotencyKey: String!) {
  inventoryAdjustQuantities(input: $input) @idempotent(key: $idempotencyKey) {
    inventoryAdjustmentGroup {
      id
      reason
      changes { name delta quantityAfterChange }
    }
    userErrors { field message code }
  }
}`

func adjustRequest(w *integrations.In) (any, error) {
	item, err := gid(w, "inventory_item_id", "InventoryItem")
	if err != nil {
		return nil, err
	}
	loc, err := gid(w, "location_id", "Location")
	if err != nil {
		return nil, err
	}
	delta, err := w.Int("delta")
	if err != nil {
		return nil, err
	}
	if delta == 0 {
		return nil, fmt.Errorf("with.delta must not be 0")
	}
	change := map[string]any{"inventoryItemId": item, "locationId": loc, "delta": delta, "changeFromQuantity": nil}
	if w.Has("change_from_quantity") {
		from, err := w.Int("change_from_quantity")
		if err != nil {
			return nil, err
		}
		change["changeFromQuantity"] = from
	}
	if w.Call.IdempotencyKey == "" {
		return nil, fmt.Errorf("adjust_inventory needs the step's idempotency key")
	}
	input := map[string]any{
		"reason":  "correction",
		"name":    "available",
		"changes": []any{change},
	}
	for field, key := range map[string]string{"reason": "reason", "name": "name", "reference_document_uri": "referenceDocumentUri"} {
		v, err := w.OptString(field)
		if err != nil {
			return nil, err
		}
		if v != "" {
			input[key] = v
		}
	}
	return graphql(inventoryAdjustMutation, map[string]any{"input": input, "idempotencyKey": w.Call.IdempotencyKey}), nil
}

func adjusted(r *integrations.Response) (any, error) {
	var p struct {
		Group *struct {
			ID      string `json:"id"`
			Reason  string `json:"reason"`
			Changes []struct {
				Name          string `json:"name"`
				Delta         int64  `json:"delta"`
				QuantityAfter *int64 `json:"quantityAfterChange"`
			} `json:"changes"`
		} `json:"inventoryAdjustmentGroup"`
	}
	if err := payload(r, "inventoryAdjustQuantities", "write_inventory", &p); err != nil {
		return nil, err
	}
	if p.Group == nil {
		return map[string]any{"id": nil, "changes": []any{}}, nil
	}
	changes := make([]any, 0, len(p.Group.Changes))
	for _, ch := range p.Group.Changes {
		m := map[string]any{"name": ch.Name, "delta": ch.Delta}
		if ch.QuantityAfter != nil {
			m["quantity_after"] = *ch.QuantityAfter
		}
		changes = append(changes, m)
	}
	return map[string]any{"id": p.Group.ID, "reason": p.Group.Reason, "changes": changes}, nil
}
