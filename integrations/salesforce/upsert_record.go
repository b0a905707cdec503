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
type upsertRecord struct{ api *api }

var _ integrations.Operation = (*upsertRecord)(nil)

func (*upsertRecord) Required() []string {
	return []string{"object", "external_id_field", "external_id", "fields"}
}

func (o *upsertRecord) Request(c integrations.Call) (*integrations.Request, error) {
	w := integrations.With(c.Input)
	if err := w.Known("object", "external_id_field", "external_id", "fields"); err != nil {
		return nil, err
	}
	object, err := apiName(w, "object")
	if err != nil {
		return nil, err
	}
	field, err := apiName(w, "external_id_field")
	if err != nil {
		return nil, err
	}
	id, err := w.ID("external_id")
	if err != nil {
		return nil, err
	}
	fields, err := recordFields(w)
	if err != nil {
		return nil, err
	}
	return o.api.sobject(http.MethodPatch, fields, object, field, id)
}

func (o *upsertRecord) Output(r *integrations.Response) (any, error) {
	return saved(r)
}

func (*upsertRecord) Classify(r *integrations.Response, e *integrations.Error) *integrations.Error {
	return classify(r, e)
}
