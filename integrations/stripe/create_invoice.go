package stripe

import (
	"fmt"

	"github.com/hookflow/hookflow/integrations"
)

// createInvoice drafts an invoice for a customer:
//
//	call: payments.create_invoice
//	with:
//	  customer: ${{ steps.customer.output.id }}   # required
//	  collection_method: send_invoice             # or charge_automatically (Stripe's default)
//	  days_until_due: 14                          # required with send_invoice
//	  description: "Order ${{ payload.name }}"
//	  currency: eur
//	  auto_advance: true                          # Stripe finalizes (and sends or charges) by itself
//	  pending_invoice_items_behavior: exclude     # or include: the customer's pending items
//	  metadata: { order_id: "${{ payload.id }}" }
//
// POST /v1/invoices. Add lines with add_invoice_item (invoice: this id),
// then finalize_invoice. Output: {id, status, number, customer, currency,
// amount_due, hosted_invoice_url}.
var createInvoice = &integrations.Op{
	Path:     "v1/invoices",
	Required: []string{"customer"},
	Optional: []string{"collection_method", "days_until_due", "description", "currency", "auto_advance", "pending_invoice_items_behavior", "metadata"},
	Build: func(in *integrations.In) (any, error) {
		f := newForm(in)
		if err := f.id("customer", true); err != nil {
			return nil, err
		}
		if err := f.oneOf("collection_method", "charge_automatically", "send_invoice"); err != nil {
			return nil, err
		}
		if in.Form.Get("collection_method") == "send_invoice" && !in.Has("days_until_due") {
			return nil, fmt.Errorf("with.days_until_due is required with collection_method send_invoice")
		}
		if err := f.oneOf("pending_invoice_items_behavior", "exclude", "include"); err != nil {
			return nil, err
		}
		if err := f.ints("days_until_due"); err != nil {
			return nil, err
		}
		if err := f.strings("description", "currency"); err != nil {
			return nil, err
		}
		if err := f.bool("auto_advance"); err != nil {
			return nil, err
		}
		return nil, f.metadata()
	},
	Output: invoice,
}

// invoice reads an Invoice answer.
var invoice = object("status", "number", "customer", "currency", "amount_due", "hosted_invoice_url")

// finalizeInvoice finalizes a draft invoice, so that it can be paid:
//
//	call: payments.finalize_invoice
//	with:
//	  invoice_id: ${{ steps.invoice.output.id }}   # required
//	  auto_advance: true                           # Stripe then charges or emails it by itself
//
// POST /v1/invoices/{invoice_id}/finalize. Output as create_invoice's,
// with the number and hosted_invoice_url set.
var finalizeInvoice = &integrations.Op{
	Path:     "v1/invoices/{invoice_id}/finalize",
	Required: []string{"invoice_id"},
	Optional: []string{"auto_advance"},
	Build: func(in *integrations.In) (any, error) {
		return nil, newForm(in).bool("auto_advance")
	},
	Output: invoice,
}

// sendInvoice emails a finalized send_invoice invoice to its customer:
//
//	call: payments.send_invoice
//	with:
//	  invoice_id: ${{ steps.finalize.output.id }}   # required
//
// POST /v1/invoices/{invoice_id}/send (no email is sent in test mode).
// Output as create_invoice's.
var sendInvoice = &integrations.Op{
	Path:     "v1/invoices/{invoice_id}/send",
	Required: []string{"invoice_id"},
	// An empty form, so that the POST says what it is, as Stripe's
	// libraries send it.
	Build:  func(in *integrations.In) (any, error) { newForm(in); return nil, nil },
	Output: invoice,
}
