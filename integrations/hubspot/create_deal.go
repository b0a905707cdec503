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
var createDeal = &integrations.Op{
	Path:     "crm/v3/objects/deals",
	Required: []string{"name"},
	Optional: []string{"contact_id", "amount", "stage", "pipeline", "properties"},
	Build: func(in *integrations.In) (any, error) {
		name, err := in.String("name")
		if err != nil {
			return nil, err
		}
		props, err := dealProperties(in)
		if err != nil {
			return nil, err
		}
		props["dealname"] = name
		contact, err := in.OptID("contact_id")
		if err != nil {
			return nil, err
		}
		body := map[string]any{"properties": props}
		if contact != "" {
			body["associations"] = associate(contact, dealToContact)
		}
		return body, nil
	},
	Output: record,
	Errors: scope("crm.objects.deals.write"),
}

// dealProperties reads with.properties and the named deal fields.
func dealProperties(in *integrations.In) (map[string]string, error) {
	props, err := in.Scalars("properties")
	if err != nil {
		return nil, err
	}
	if props == nil {
		props = map[string]string{}
	}
	for field, prop := range map[string]string{"amount": "amount", "stage": "dealstage", "pipeline": "pipeline"} {
		if !in.Has(field) {
			continue
		}
		v, ok := integrations.Scalar(in.With[field])
		if !ok {
			return nil, fieldTypeError(field, in.With[field])
		}
		props[prop] = v
	}
	return props, nil
}
