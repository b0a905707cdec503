package stripe

import (
	"fmt"

	"github.com/hookflow/hookflow/integrations"
)

// createRefund refunds a payment, in full or in part:
//
//	call: payments.create_refund
//	with:
//	  payment_intent: ${{ payload.data.object.payment_intent }}   # or charge: ch_…
//	  amount: 1500                       # in the smallest unit; default: what is left
//	  reason: requested_by_customer      # or duplicate, fraudulent
//	  metadata: { return_id: "${{ payload.id }}" }
//
// POST /v1/refunds. The Idempotency-Key makes a retry within 24 hours
// answer with the refund the first attempt made, never a second one.
// Output: {id, status, amount, currency, payment_intent, charge}.
var createRefund = &integrations.Op{
	Path:     "v1/refunds",
	Optional: []string{"payment_intent", "charge", "amount", "reason", "metadata"},
	Build: func(in *integrations.In) (any, error) {
		f := newForm(in)
		if in.Has("payment_intent") == in.Has("charge") {
			return nil, fmt.Errorf("with: give payment_intent or charge (one of them)")
		}
		if err := f.id("payment_intent", false); err != nil {
			return nil, err
		}
		if err := f.id("charge", false); err != nil {
			return nil, err
		}
		if err := f.ints("amount"); err != nil {
			return nil, err
		}
		if a := in.Form.Get("amount"); a != "" && (a == "0" || a[0] == '-') {
			return nil, fmt.Errorf("with.amount must be positive")
		}
		if err := f.oneOf("reason", "duplicate", "fraudulent", "requested_by_customer"); err != nil {
			return nil, err
		}
		return nil, f.metadata()
	},
	Output: object("status", "amount", "currency", "payment_intent", "charge"),
}
