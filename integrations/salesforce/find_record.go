package salesforce

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/hookflow/hookflow/integrations"
)

// findRecord reads the record whose external ID field has a value:
//
//	call: sf.find_record
//	with:
//	  object: Account                          # required
//	  external_id_field: Shop_Customer_Id__c   # required
//	  external_id: ${{ payload.customer.id }}  # required
//	  fields: [Name, OwnerId]                  # default: all the record's fields
//
// GET /services/data/v60.0/sobjects/{object}/{field}/{value}; the value is
// one path segment, so no query language is involved. Output: {found, id,
// record}: found is false (and id null) on Salesforce's 404.
var findRecord = &integrations.Op{
	Method:   http.MethodGet,
	Path:     "sobjects/{object}/{external_id_field}/{external_id}",
	Required: []string{"object", "external_id_field", "external_id"},
	Optional: []string{"fields"},
	Build: func(in *integrations.In) (any, error) {
		if err := apiNames(in, "object", "external_id_field"); err != nil {
			return nil, err
		}
		if _, err := in.ID("external_id"); err != nil {
			return nil, err
		}
		fields, err := in.Strings("fields")
		if err != nil {
			return nil, err
		}
		for _, f := range fields {
			if !nameRE.MatchString(f) {
				return nil, fieldNameError(f)
			}
		}
		if fields != nil {
			in.Query = url.Values{"fields": {strings.Join(fields, ",")}}
		}
		return nil, nil
	},
	Output: func(r *integrations.Response) (any, error) {
		var rec map[string]any
		if err := integrations.DecodeJSON(r, &rec); err != nil {
			return nil, err
		}
		delete(rec, "attributes")
		return map[string]any{"found": true, "id": rec["Id"], "record": rec}, nil
	},
	NotFound: map[string]any{"found": false, "id": nil, "record": nil},
}

// updateRecord changes fields of a record by its id:
//
//	call: sf.update_record
//	with:
//	  object: Opportunity                       # required
//	  id: ${{ steps.find.output.id }}           # required: the record id
//	  fields: { StageName: Closed Won }         # required
//
// PATCH /services/data/v60.0/sobjects/{object}/{id}, answered 204.
// Setting fields is idempotent, so retries are safe. Output: {success}.
var updateRecord = &integrations.Op{
	Method:   http.MethodPatch,
	Path:     "sobjects/{object}/{id}",
	Required: []string{"object", "id", "fields"},
	Build: func(in *integrations.In) (any, error) {
		if err := apiNames(in, "object"); err != nil {
			return nil, err
		}
		if _, err := in.ID("id"); err != nil {
			return nil, err
		}
		return recordFields(in)
	},
	Output: func(r *integrations.Response) (any, error) {
		return map[string]any{"success": true}, nil
	},
}
