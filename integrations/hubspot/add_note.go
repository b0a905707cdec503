package hubspot

import (
	"time"

	"github.com/hookflow/hookflow/integrations"
)

// addNote logs a note on a contact's timeline:
//
//	call: crm.add_note
//	with:
//	  contact_id: ${{ steps.contact.output.id }}        # required
//	  body: "Paid order ${{ payload.name }}"             # required: hs_note_body
//	  timestamp: ${{ event.received_at }}                # hs_timestamp; default: now
//	  owner_id: "12345"                                  # hubspot_owner_id
//
// POST /crm/v3/objects/notes with association type 202 (note to contact).
// Set timestamp for a request that is the same on every attempt.
// Output: {id, properties, created_at, updated_at}.
type addNote struct {
	api *api
	now func() time.Time
}

var _ integrations.Operation = (*addNote)(nil)

func (*addNote) Required() []string { return []string{"contact_id", "body"} }

func (o *addNote) Request(c integrations.Call) (*integrations.Request, error) {
	w := integrations.With(c.Input)
	if err := w.Known("contact_id", "body", "timestamp", "owner_id"); err != nil {
		return nil, err
	}
	contact, err := w.ID("contact_id")
	if err != nil {
		return nil, err
	}
	text, err := w.String("body")
	if err != nil {
		return nil, err
	}
	props := map[string]string{"hs_note_body": text}
	// HubSpot takes an ISO 8601 time or Unix milliseconds.
	if w.Has("timestamp") {
		ts, ok := integrations.Scalar(c.Input["timestamp"])
		if !ok || ts == "" {
			return nil, fieldTypeError("timestamp", c.Input["timestamp"])
		}
		props["hs_timestamp"] = ts
	} else {
		props["hs_timestamp"] = o.now().UTC().Format("2006-01-02T15:04:05.000Z")
	}
	owner, err := w.OptID("owner_id")
	if err != nil {
		return nil, err
	}
	if owner != "" {
		props["hubspot_owner_id"] = owner
	}
	body := struct {
		Properties   map[string]string `json:"properties"`
		Associations []association     `json:"associations"`
	}{Properties: props, Associations: associate(contact, noteToContact)}
	return o.api.post(body, "crm", "v3", "objects", "notes")
}

func (o *addNote) Output(r *integrations.Response) (any, error) {
	var note object
	if err := integrations.DecodeJSON(r, &note); err != nil {
		return nil, err
	}
	return note.output(), nil
}

func (*addNote) Classify(r *integrations.Response, e *integrations.Error) *integrations.Error {
	// Notes need the scopes of the records they are associated with.
	return classify(r, e, "crm.objects.contacts.write")
}
