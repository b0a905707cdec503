package pipedrive

import (
	"fmt"
	"net/http"

	"github.com/hookflow/hookflow/integrations"
)

// updateDeal changes a deal:
//
//	call: deals.update_deal
//	with:
//	  deal_id: ${{ steps.deal.output.id }}    # required
//	  stage_id: 3
//	  status: won
//	  title, value, currency, person_id, org_id, owner_id, fields   # as create_deal
//
// PATCH /api/v2/deals/{id} with the fields given; others stay as they are.
// Setting fields is idempotent, so retries are safe. Output: {id, title,
// status, stage_id}.
var updateDeal = &integrations.Op{
	Method:   http.MethodPatch,
	Path:     "deals/{deal_id}",
	Required: []string{"deal_id"},
	Optional: append([]string{"title"}, dealFields...),
	Build: func(w *integrations.In) (any, error) {
		id, err := w.Int("deal_id")
		if err != nil {
			return nil, err
		}
		if id <= 0 {
			return nil, fmt.Errorf("with.deal_id must be a positive id")
		}
		w.Params["deal_id"] = fmt.Sprint(id)
		body := map[string]any{}
		title, err := w.OptString("title")
		if err != nil {
			return nil, err
		}
		if title != "" {
			body["title"] = title
		}
		out, err := deal(w, body)
		if err == nil && len(body) == 0 {
			return nil, fmt.Errorf("with: give at least one field to change (takes: title, %v)", dealFields)
		}
		return out, err
	},
	Output: output("title", "status", "stage_id"),
}
