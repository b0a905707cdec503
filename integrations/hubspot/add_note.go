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
var addNote = &integrations.Op{
	Path:     "crm/v3/objects/notes",
	Required: []string{"contact_id", "body"},
	Optional: []string{"timestamp", "owner_id"},
	Build: func(in *integrations.In) (any, error) {
		contact, err := in.ID("contact_id")
		if err != nil {
			return nil, err
		}
		text, err := in.String("body")
		if err != nil {
			return nil, err
		}
		props := map[string]string{"hs_note_body": text}
		// HubSpot takes an ISO 8601 time or Unix milliseconds.
		if in.Has("timestamp") {
			ts, ok := integrations.Scalar(in.With["timestamp"])
			if !ok || ts == "" {
				return nil, fieldTypeError("timestamp", in.With["timestamp"])
			}
			props["hs_timestamp"] = ts
		} else {
			props["hs_timestamp"] = time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
		}
		owner, err := in.OptID("owner_id")
		if err != nil {
			return nil, err
		}
		if owner != "" {
			props["hubspot_owner_id"] = owner
		}
		return map[string]any{"properties": props, "associations": associate(contact, noteToContact)}, nil
	},
	Output: record,
	// Notes need the scopes of the records they are associated with.
	Errors: scope("crm.objects.contacts.write"),
}
