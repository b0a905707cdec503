package salesforce

import (
	"fmt"
	"net/http"

	"github.com/hookflow/hookflow/integrations"
)

// createRecord creates a record of any object:
//
//	call: sf.create_record
//	with:
//	  object: Lead                         # required: the object's API name
//	  fields: { LastName: "${{ payload.customer.last_name }}", Company: Acme }   # required
//
// POST /services/data/v60.0/sobjects/{object}/, answered 201
// {"id", "success", "errors"}. Output: {id, success}.
var createRecord = &integrations.Op{
	Path:     "sobjects/{object}/", // as documented: …/sobjects/Account/
	Required: []string{"object", "fields"},
	Build: func(in *integrations.In) (any, error) {
		if err := apiNames(in, "object"); err != nil {
			return nil, err
		}
		return recordFields(in)
	},
	Output: saved,
}

// apiNames reads object or field API names into the path parameters.
func apiNames(in *integrations.In, fields ...string) error {
	for _, f := range fields {
		s, err := in.String(f)
		if err != nil {
			return err
		}
		if !nameRE.MatchString(s) {
			return fmt.Errorf("with.%s must be an API name such as Account or Order__c", f)
		}
		in.Params[f] = s
	}
	return nil
}

// recordFields reads with.fields, a mapping of field API names to values.
func recordFields(in *integrations.In) (map[string]any, error) {
	fields, err := in.Map("fields")
	if err != nil {
		return nil, err
	}
	if len(fields) == 0 {
		return nil, fmt.Errorf("with.fields must set at least one field")
	}
	for k := range fields {
		if !nameRE.MatchString(k) {
			return nil, fieldNameError(k)
		}
	}
	return fields, nil
}

func fieldNameError(name string) error {
	return fmt.Errorf("with.fields.%s is not a field API name", name)
}

// saved maps a save result to the output; a 204 (an update answered
// without a body) has no id.
func saved(r *integrations.Response) (any, error) {
	if r.Status == http.StatusNoContent || len(r.Body) == 0 {
		return map[string]any{"success": true, "created": false}, nil
	}
	var s saveResult
	if err := integrations.DecodeJSON(r, &s); err != nil {
		return nil, err
	}
	if !s.Success {
		msg := "Salesforce did not save the record"
		if len(s.Errors) > 0 {
			msg = s.Errors[0].StatusCode + ": " + s.Errors[0].Message
		}
		return nil, &integrations.Error{Status: r.Status, Message: msg}
	}
	out := map[string]any{"id": s.ID, "success": true}
	switch {
	case s.Created != nil:
		out["created"] = *s.Created
	case r.Status == http.StatusCreated:
		out["created"] = true
	}
	return out, nil
}
