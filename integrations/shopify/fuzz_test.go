package shopify

import (
	"testing"

	"github.com/hookflow/hookflow/integrations"
)

// Vendor answers are untrusted input: whatever comes back, reading it
// never panics, and a failure is an error, never an output.
func FuzzPayload(f *testing.F) {
	for _, seed := range []string{
		`{"data": {"tagsAdd": {"node": {"id": "gid://shopify/Order/1"}, "userErrors": []}}}`,
		`{"data": {"tagsAdd": {"node": null, "userErrors": [{"field": ["id"], "message": "Order does not exist"}]}}}`,
		`{"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}], "extensions": {"cost": {"requestedQueryCost": 752, "throttleStatus": {"currentlyAvailable": 666, "restoreRate": 0}}}}`,
		`{"data": null}`, `[]`, `null`, `{"data": {"tagsAdd": 7}}`, ``,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, op := range []*integrations.Op{tagOrder, addOrderNote, adjustInventory, getOrder, getCustomer} {
			out, err := op.Output(&integrations.Response{Status: 200, Body: []byte(body)})
			if err != nil && out != nil {
				t.Fatalf("output %v with error %v", out, err)
			}
		}
	})
}
