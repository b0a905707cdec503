package salesforce

import (
	"net/http"

	"github.com/hookflow/hookflow/integrations"
)

// upsertRecord creates or updates the record whose external ID field has a
// value:
//
//	call: sf.upsert_record
//	with:
//	  object: Account                      # required
//	  external_id_field: Shop_Customer_Id__c   # required: an External ID field
//	  external_id: ${{ payload.customer.id }}  # required
//	  fields: { Name: "${{ payload.customer.company }}" }   # required
//
// PATCH /services/data/v60.0/sobjects/{object}/{field}/{value}: 201 when
// it created the record, 200 when it updated one, 300 when the value
// matches several (a permanent error). Retries are safe.
// Output: {id, created, success}.
var upsertRecord = &integrations.Op{
	Method:   http.MethodPatch,
	Path:     "sobjects/{object}/{external_id_field}/{external_id}",
	Required: []string{"object", "external_id_field", "external_id", "fields"},
	Build: func(in *integrations.In) (any, error) {
		if err := apiNames(in, "object", "external_id_field"); err != nil {
			return nil, err
		}
		if _, err := in.ID("external_id"); err != nil {
			return nil, err
		}
		return recordFields(in)
	},
	Output: saved,
}
