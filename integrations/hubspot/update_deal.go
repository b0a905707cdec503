package hubspot

import (
	"fmt"
	"net/http"

	"github.com/hookflow/hookflow/integrations"
)

// updateDeal changes a deal's stage or other properties:
//
//	call: crm.update_deal
//	with:
//	  deal_id: ${{ steps.deal.output.id }}    # required
//	  stage: closedwon                        # dealstage (internal id)
//	  amount, pipeline, name, properties      # as create_deal
//
// PATCH /crm/v3/objects/deals/{deal_id} with the properties given; others
// stay. Setting properties is idempotent, so retries are safe.
// Output: {id, properties, created_at, updated_at}.
var updateDeal = &integrations.Op{
	Method:   http.MethodPatch,
	Path:     "crm/v3/objects/deals/{deal_id}",
	Required: []string{"deal_id"},
	Optional: []string{"name", "amount", "stage", "pipeline", "properties"},
	Build: func(in *integrations.In) (any, error) {
		props, err := dealProperties(in)
		if err != nil {
			return nil, err
		}
		name, err := in.OptString("name")
		if err != nil {
			return nil, err
		}
		if name != "" {
			props["dealname"] = name
		}
		if len(props) == 0 {
			return nil, fmt.Errorf("with: give stage, amount, pipeline, name or properties to change")
		}
		return map[string]any{"properties": props}, nil
	},
	Output: record,
	Errors: scope("crm.objects.deals.write"),
}
