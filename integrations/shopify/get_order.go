package shopify

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hookflow/hookflow/integrations"
)

// getOrder reads an order:
//
//	call: shop.get_order
//	with:
//	  order_id: ${{ payload.id }}     # required: 5678 or gid://shopify/Order/5678
//
// The order query. Output: {found, id, name, email, financial_status,
// fulfillment_status, tags, note, total, currency, customer_id}: found is
// false (and id null) when the shop has no such order.
var getOrder = &integrations.Op{
	Required: []string{"order_id"},
	Build: func(in *integrations.In) (any, error) {
		id, err := gid(in, "order_id", "Order")
		if err != nil {
			return nil, err
		}
		return graphql(orderQuery, map[string]any{"id": id}), nil
	},
	Output: func(r *integrations.Response) (any, error) {
		var o *struct {
			ID                       string   `json:"id"`
			Name                     string   `json:"name"`
			Email                    string   `json:"email"`
			DisplayFinancialStatus   string   `json:"displayFinancialStatus"`
			DisplayFulfillmentStatus string   `json:"displayFulfillmentStatus"`
			Tags                     []string `json:"tags"`
			Note                     string   `json:"note"`
			Total                    money    `json:"totalPriceSet"`
			Customer                 *struct {
				ID string `json:"id"`
			} `json:"customer"`
		}
		if err := node(r, "order", "read_orders", &o); err != nil {
			return nil, err
		}
		if o == nil {
			return notFound(), nil
		}
		out := map[string]any{"found": true, "id": o.ID, "name": o.Name, "email": o.Email,
			"financial_status": o.DisplayFinancialStatus, "fulfillment_status": o.DisplayFulfillmentStatus,
			"tags": o.Tags, "note": o.Note, "total": o.Total.ShopMoney.Amount, "currency": o.Total.ShopMoney.CurrencyCode, "customer_id": nil}
		if o.Customer != nil {
			out["customer_id"] = o.Customer.ID
		}
		return out, nil
	},
	Errors: needs("read_orders"),
}

// getCustomer reads a customer by id or by email:
//
//	call: shop.get_customer
//	with:
//	  customer_id: ${{ payload.customer.id }}   # or
//	  email: ${{ payload.email }}
//
// The customer query, or customers(first: 1, query: "email:…") for an
// email. Output: {found, id, email, first_name, last_name, tags,
// orders_count, amount_spent, currency}.
var getCustomer = &integrations.Op{
	Optional: []string{"customer_id", "email"},
	Build: func(in *integrations.In) (any, error) {
		switch {
		case in.Has("customer_id") && in.Has("email"):
			return nil, fmt.Errorf("with.customer_id and with.email: give one")
		case in.Has("customer_id"):
			id, err := gid(in, "customer_id", "Customer")
			if err != nil {
				return nil, err
			}
			return graphql(customerQuery, map[string]any{"id": id}), nil
		}
		email, err := in.String("email")
		if err != nil {
			return nil, fmt.Errorf("with.customer_id or with.email is required")
		}
		email = strings.TrimSpace(email)
		if !strings.Contains(email, "@") {
			return nil, fmt.Errorf("with.email must be an email address")
		}
		// Shopify's search syntax: a quoted value, its quotes and
		// backslashes escaped, so an address cannot add search terms.
		q := `email:"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(email) + `"`
		return graphql(customersQuery, map[string]any{"query": q}), nil
	},
	Output: func(r *integrations.Response) (any, error) {
		var c *customer
		data, err := queryData(r, "read_customers")
		if err != nil {
			return nil, err
		}
		if raw, ok := data["customers"]; ok {
			var list struct {
				Nodes []*customer `json:"nodes"`
			}
			if err := json.Unmarshal(raw, &list); err != nil {
				return nil, fmt.Errorf("Shopify GraphQL: customers: %v", err)
			}
			if len(list.Nodes) > 0 {
				c = list.Nodes[0]
			}
		} else if err := json.Unmarshal(data["customer"], &c); err != nil && len(data["customer"]) > 0 {
			return nil, fmt.Errorf("Shopify GraphQL: customer: %v", err)
		}
		if c == nil {
			return notFound(), nil
		}
		return map[string]any{"found": true, "id": c.ID, "email": c.Email, "first_name": c.FirstName, "last_name": c.LastName,
			"tags": c.Tags, "orders_count": c.NumberOfOrders, "amount_spent": c.AmountSpent.Amount, "currency": c.AmountSpent.CurrencyCode}, nil
	},
	Errors: needs("read_customers"),
}

func notFound() map[string]any { return map[string]any{"found": false, "id": nil} }

type money struct {
	ShopMoney struct {
		Amount       string `json:"amount"`
		CurrencyCode string `json:"currencyCode"`
	} `json:"shopMoney"`
}

type customer struct {
	ID             string   `json:"id"`
	Email          string   `json:"email"`
	FirstName      string   `json:"firstName"`
	LastName       string   `json:"lastName"`
	Tags           []string `json:"tags"`
	NumberOfOrders string   `json:"numberOfOrders"` // UnsignedInt64, a string in JSON
	AmountSpent    struct {
		Amount       string `json:"amount"`
		CurrencyCode string `json:"currencyCode"`
	} `json:"amountSpent"`
}

// node reads data[field] of a query into into; a null leaves it nil.
func node(r *integrations.Response, field, scope string, into any) error {
	data, err := queryData(r, scope)
	if err != nil {
		return err
	}
	if raw, ok := data[field]; ok {
		if err := json.Unmarshal(raw, into); err != nil {
			return fmt.Errorf("Shopify GraphQL: %s: %v", field, err)
		}
	}
	return nil
}

const orderQuery = `query getOrder($id: ID!) {
  order(id: $id) {
    id name email displayFinancialStatus displayFulfillmentStatus tags note
    totalPriceSet { shopMoney { amount currencyCode } }
    customer { id }
  }
}`

const customerFields = `id email firstName lastName tags numberOfOrders amountSpent { amount currencyCode }`

const customerQuery = `query getCustomer($id: ID!) {
  customer(id: $id) { ` + customerFields + ` }
}`

const customersQuery = `query findCustomer($query: String!) {
  customers(first: 1, query: $query) { nodes { ` + customerFields + ` } }
}`
