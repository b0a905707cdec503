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
type createRecord struct{ api *api }

var _ integrations.Operation = (*createRecord)(nil)

func (*createRecord) Required() []string { return []string{"object", "fields"} }

func (o *createRecord) Request(c integrations.Call) (*integrations.Request, error) {
	w := integrations.With(c.Input)
	if err := w.Known("object", "fields"); err != nil {
		return nil, err
	}
	object, err := apiName(w, "object")
	if err != nil {
		return nil, err
	}
	fields, err := recordFields(w)
	if err != nil {
		return nil, err
	}
	req, err := o.api.sobject(http.MethodPost, fields, object)
	if err == nil {
		req.URL += "/" // as documented: …/sobjects/Account/
	}
	return req, err
}

func (o *createRecord) Output(r *integrations.Response) (any, error) {
	return saved(r)
}

func (*createRecord) Classify(r *integrations.Response, e *integrations.Error) *integrations.Error {
	return classify(r, e)
}

// apiName reads an object or field API name.
func apiName(w integrations.With, field string) (string, error) {
	s, err := w.String(field)
	if err != nil {
		return "", err
	}
	if !nameRE.MatchString(s) {
		return "", fmt.Errorf("with.%s must be an API name such as Account or Order__c", field)
	}
	return s, nil
}

// recordFields reads with.fields, a mapping of field API names to values.
func recordFields(w integrations.With) (map[string]any, error) {
	fields, err := w.Map("fields")
	if err != nil {
		return nil, err
	}
	if len(fields) == 0 {
		return nil, fmt.Errorf("with.fields must set at least one field")
	}
	for k := range fields {
		if !nameRE.MatchString(k) {
			return nil, fmt.Errorf("with.fields.%s is not a field API name", k)
		}
	}
	return fields, nil
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
