package hubspot

import (
	"fmt"
	"strings"

	"github.com/hookflow/hookflow/integrations"
)

// findContact and findDeal look a record up by one property's value:
//
//	call: crm.find_contact          # or crm.find_deal
//	with:
//	  value: ${{ payload.email }}   # required
//	  property: email               # default: email (contacts), dealname (deals)
//	  properties: [firstname, lifecyclestage]   # to read besides the defaults
//
// POST /crm/v3/objects/{contacts|deals}/search with one EQ filter, newest
// first. Output: {found, id, properties, count}: found is false (and id
// null) when nothing matches; count is how many did.
var (
	findContact = findRecord("contacts", "email", "crm.objects.contacts.read")
	findDeal    = findRecord("deals", "dealname", "crm.objects.deals.read")
)

func findRecord(objects, defaultProperty, scopeName string) *integrations.Op {
	return &integrations.Op{
		Path:     "crm/v3/objects/" + objects + "/search",
		Required: []string{"value"},
		Optional: []string{"property", "properties"},
		Build: func(in *integrations.In) (any, error) {
			v, ok := integrations.Scalar(in.With["value"])
			if !ok || strings.TrimSpace(v) == "" {
				return nil, fmt.Errorf("with.value must be a string or number to search for")
			}
			prop, err := in.OptString("property")
			if err != nil {
				return nil, err
			}
			if prop == "" {
				prop = defaultProperty
			}
			read, err := in.Strings("properties")
			if err != nil {
				return nil, err
			}
			body := map[string]any{
				"filterGroups": []any{map[string]any{"filters": []any{map[string]any{"propertyName": prop, "operator": "EQ", "value": strings.TrimSpace(v)}}}},
				"sorts":        []any{map[string]any{"propertyName": "createdate", "direction": "DESCENDING"}},
				"limit":        1,
			}
			if read != nil {
				body["properties"] = append(read, prop)
			}
			return body, nil
		},
		Output: func(r *integrations.Response) (any, error) {
			var res struct {
				Total   int      `json:"total"`
				Results []object `json:"results"`
			}
			if err := integrations.DecodeJSON(r, &res); err != nil {
				return nil, err
			}
			if len(res.Results) == 0 {
				return map[string]any{"found": false, "id": nil, "properties": map[string]any{}, "count": 0}, nil
			}
			out := res.Results[0].output()
			out["found"], out["count"] = true, res.Total
			return out, nil
		},
		Errors: scope(scopeName),
	}
}
