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
//	  value: ${{ payload.total_price }}
//	  currency: ${{ payload.currency }}             # ISO 4217, e.g. EUR
//	  person_id: ${{ steps.person.output.id }}
//	  org_id: 17
//	  stage_id: 2
//	  status: won                                   # open, won or lost
//	  fields: { … }                                 # custom fields by key
//
// POST /v1/deals. Output: {id, title, status}.
var createDeal = &integrations.Op{
	Path:     "v1/deals",
	Required: []string{"title"},
	Optional: []string{"value", "currency", "person_id", "org_id", "stage_id", "user_id", "status", "fields"},
	Build:    deal,
	Output:   output("title", "status"),
}

func deal(w *integrations.In) (any, error) {
	title, err := w.String("title")
	if err != nil {
		return nil, err
	}
	named := map[string]any{"title": title}
	if w.Has("value") {
		v, ok := integrations.Scalar(w.With["value"])
		if !ok {
			return nil, fmt.Errorf("with.value must be a number or a numeric string, got %s", integrations.Describe(w.With["value"]))
		}
		named["value"] = v
	}
	for _, f := range []string{"currency", "status"} {
		v, err := w.OptString(f)
		if err != nil {
			return nil, err
		}
		if v != "" {
			named[f] = v
		}
	}
	if s, ok := named["status"].(string); ok && !slices.Contains([]string{"open", "won", "lost"}, s) {
		return nil, fmt.Errorf("with.status must be open, won or lost")
	}
	if err := ids(w, named, "person_id", "org_id", "stage_id", "user_id"); err != nil {
		return nil, err
	}
	return merge(w, named)
}
