package pipedrive

import (
	"fmt"
	"slices"

	"github.com/hookflow/hookflow/integrations"
)

// createDeal adds a deal:
//
//	call: deals.create_deal
//	with:
//	  title: "Order ${{ payload.name }}"            # required
//	  value: ${{ payload.total_price }}             # a number or numeric string
//	  currency: ${{ payload.currency }}             # ISO 4217, e.g. EUR
//	  person_id: ${{ steps.person.output.id }}
//	  org_id: 17
//	  stage_id: 2
//	  owner_id: 3                                   # v1's user_id
//	  status: won                                   # open, won or lost
//	  fields: { … }                                 # custom fields by key
//
// POST /api/v2/deals. Output: {id, title, status}.
var createDeal = &integrations.Op{
	Path:     "deals",
	Required: []string{"title"},
	Optional: dealFields,
	Build: func(w *integrations.In) (any, error) {
		title, err := w.String("title")
		if err != nil {
			return nil, err
		}
		return deal(w, map[string]any{"title": title})
	},
	Output: output("title", "status"),
}

var dealFields = []string{"value", "currency", "person_id", "org_id", "stage_id", "owner_id", "status", "fields"}

// deal reads the deal fields into body, as API v2 takes them.
func deal(w *integrations.In, body map[string]any) (any, error) {
	if w.Has("value") {
		v, err := number(w, "value")
		if err != nil {
			return nil, err
		}
		body["value"] = v
	}
	for _, f := range []string{"currency", "status"} {
		v, err := w.OptString(f)
		if err != nil {
			return nil, err
		}
		if v != "" {
			body[f] = v
		}
	}
	if s, ok := body["status"].(string); ok && !slices.Contains([]string{"open", "won", "lost"}, s) {
		return nil, fmt.Errorf("with.status must be open, won or lost")
	}
	if err := ids(w, body, "person_id", "org_id", "stage_id", "owner_id"); err != nil {
		return nil, err
	}
	return body, customFields(w, body)
}
