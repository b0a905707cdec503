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
type createDeal struct{ api *api }

var _ integrations.Operation = (*createDeal)(nil)

func (*createDeal) Required() []string { return []string{"title"} }

func (o *createDeal) Request(c integrations.Call) (*integrations.Request, error) {
	w := integrations.With(c.Input)
	if err := w.Known("title", "value", "currency", "person_id", "org_id", "stage_id", "user_id", "status", "fields"); err != nil {
		return nil, err
	}
	title, err := w.String("title")
	if err != nil {
		return nil, err
	}
	named := map[string]any{"title": title}
	if w.Has("value") {
		v, ok := integrations.Scalar(c.Input["value"])
		if !ok {
			return nil, fmt.Errorf("with.value must be a number or a numeric string, got %s", integrations.Describe(c.Input["value"]))
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
	body, err := merge(w, named)
	if err != nil {
		return nil, err
	}
	return o.api.post("deals", body)
}

func (*createDeal) Output(r *integrations.Response) (any, error) { return output(r, "title", "status") }

func (*createDeal) Classify(r *integrations.Response, e *integrations.Error) *integrations.Error {
	return classify(r, e)
}
