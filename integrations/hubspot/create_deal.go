package hubspot

import (
	"github.com/hookflow/hookflow/integrations"
)

// createDeal creates a deal, associated with a contact when contact_id is
// given:
//
//	call: crm.create_deal
//	with:
//	  name: "Order ${{ payload.name }}"                 # required: dealname
//	  contact_id: ${{ steps.contact.output.id }}
//	  amount: ${{ payload.total_price }}
//	  stage: closedwon                                   # dealstage (internal id)
//	  pipeline: default                                  # pipeline (internal id)
//	  properties: { closedate: "${{ event.received_at }}" }
//
// POST /crm/v3/objects/deals; the contact association is HubSpot-defined
// type 3 (deal to contact). Output: {id, properties, created_at, updated_at}.
type createDeal struct{ api *api }

var _ integrations.Operation = (*createDeal)(nil)

func (*createDeal) Required() []string { return []string{"name"} }

func (o *createDeal) Request(c integrations.Call) (*integrations.Request, error) {
	w := integrations.With(c.Input)
	if err := w.Known("name", "contact_id", "amount", "stage", "pipeline", "properties"); err != nil {
		return nil, err
	}
	name, err := w.String("name")
	if err != nil {
		return nil, err
	}
	props, err := w.Scalars("properties")
	if err != nil {
		return nil, err
	}
	if props == nil {
		props = map[string]string{}
	}
	props["dealname"] = name
	for field, prop := range map[string]string{"amount": "amount", "stage": "dealstage", "pipeline": "pipeline"} {
		if !w.Has(field) {
			continue
		}
		v, ok := integrations.Scalar(c.Input[field])
		if !ok {
			return nil, fieldTypeError(field, c.Input[field])
		}
		props[prop] = v
	}
	contact, err := w.OptID("contact_id")
	if err != nil {
		return nil, err
	}
	body := struct {
		Properties   map[string]string `json:"properties"`
		Associations []association     `json:"associations,omitempty"`
	}{Properties: props}
	if contact != "" {
		body.Associations = associate(contact, dealToContact)
	}
	return o.api.post(body, "crm", "v3", "objects", "deals")
}

func (o *createDeal) Output(r *integrations.Response) (any, error) {
	var deal object
	if err := integrations.DecodeJSON(r, &deal); err != nil {
		return nil, err
	}
	return deal.output(), nil
}

func (*createDeal) Classify(r *integrations.Response, e *integrations.Error) *integrations.Error {
	return classify(r, e, "crm.objects.deals.write")
}
