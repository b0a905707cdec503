package mailchimp

import (
	"net/http"

	"github.com/hookflow/hookflow/integrations"
)

// findMember reads the member an address is in an audience:
//
//	call: newsletter.find_member
//	with:
//	  email: ${{ payload.email }}       # required
//	  list_id: a1b2c3d4e5               # default: the integration's
//
// GET /lists/{list_id}/members/{subscriber_hash}. Output: {found, id,
// email, status, unique_email_id, contact_id, list_id}: found is false
// (and id null) on Mailchimp's 404, so a rule can branch on a customer's
// marketing status (output.status: subscribed, unsubscribed, …).
func findMember(defaultList string) *integrations.Op {
	return &integrations.Op{
		Method:   http.MethodGet,
		Path:     "lists/{list_id}/members/{subscriber_hash}",
		Required: []string{"email"},
		Optional: []string{"list_id"},
		Build: func(in *integrations.In) (any, error) {
			_, err := member(in, defaultList)
			return nil, err
		},
		Output: func(r *integrations.Response) (any, error) {
			out, err := memberOutput(r)
			if err == nil {
				out["found"] = true
			}
			return out, err
		},
		NotFound: map[string]any{"found": false, "id": nil, "status": nil},
	}
}
