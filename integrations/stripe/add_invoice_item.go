package stripe

import (
	"fmt"

	"github.com/hookflow/hookflow/integrations"
)

// addInvoiceItem adds a line to a draft invoice (or to the customer's
// next invoice when invoice is left out):
//
//	call: payments.add_invoice_item
//	with:
//	  customer: ${{ steps.customer.output.id }}   # required
//	  invoice: ${{ steps.invoice.output.id }}     # a draft invoice
//	  amount: 4900                                # in the smallest unit (cents); or price
//	  currency: usd                               # required with amount
//	  price: price_1MtGUsLkdIwHu7ix1be5Ljaj       # a Price instead of amount
//	  quantity: 2                                 # with price
//	  description: "Order ${{ payload.name }}"
//	  metadata: { sku: "${{ payload.line_items[0].sku }}" }
//
// POST /v1/invoiceitems; a price is sent as pricing[price], as Stripe
// takes it since 2025-03-31.basil. Output: {id, invoice, amount, currency}.
var addInvoiceItem = &integrations.Op{
	Path:     "v1/invoiceitems",
	Required: []string{"customer"},
	Optional: []string{"invoice", "amount", "currency", "price", "quantity", "description", "metadata"},
	Build: func(in *integrations.In) (any, error) {
		f := newForm(in)
		if err := f.id("customer", true); err != nil {
			return nil, err
		}
		if err := f.id("invoice", false); err != nil {
			return nil, err
		}
		price, err := in.OptID("price")
		if err != nil {
			return nil, err
		}
		switch {
		case price != "" && in.Has("amount"):
			return nil, fmt.Errorf("with.amount and with.price: give one")
		case price != "":
			in.Form.Set("pricing[price]", price)
			if err := f.ints("quantity"); err != nil {
				return nil, err
			}
		case in.Has("amount"):
			if !in.Has("currency") {
				return nil, fmt.Errorf("with.currency is required with amount")
			}
			if in.Has("quantity") {
				return nil, fmt.Errorf("with.quantity goes with price; with amount, give the line's total")
			}
			if err := f.ints("amount"); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("with: give amount (and currency) or price")
		}
		if err := f.strings("currency", "description"); err != nil {
			return nil, err
		}
		return nil, f.metadata()
	},
	Output: object("invoice", "amount", "currency"),
}
