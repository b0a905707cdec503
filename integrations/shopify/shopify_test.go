package shopify_test

import (
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/integrations"
	"github.com/hookflow/hookflow/integrations/internal/kindtest"
	"github.com/hookflow/hookflow/integrations/shopify"
)

const token = "shpat_0123456789abcdefsecret"

func load(t *testing.T, v *kindtest.Vendor) *integrations.Set {
	return kindtest.Load(t, "shop:\n  kind: shopify\n  base_url: "+v.URL+"\n  token: "+token+"\n")
}

func TestConfig(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"base_url missing", "shop:\n  kind: shopify\n  token: x\n", "hookflow.yaml:2:3: integrations.shop.base_url is required: the shop's admin URL"},
		{"token missing", "shop:\n  kind: shopify\n  base_url: https://acme.myshopify.com\n", "integrations.shop.token is required"},
		{"bad version", "shop:\n  kind: shopify\n  base_url: https://acme.myshopify.com\n  token: x\n  api_version: latest\n", "hookflow.yaml:5:16: integrations.shop.api_version must be a Shopify API version"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := kindtest.LoadErr(t, tc.doc)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
	s := kindtest.Load(t, "shop:\n  kind: shopify\n  base_url: https://acme.myshopify.com/\n  token: x\n")
	rec, err := s.Build(integrations.Call{Integration: "shop", Operation: "tag_order", Input: map[string]any{"order_id": 1, "tags": "a"}})
	if err != nil || rec.URL != "https://acme.myshopify.com/admin/api/2026-10/graphql.json" {
		t.Errorf("URL %q, %v", rec.URL, err)
	}
	for op, want := range map[string][]string{
		"tag_order":        {"order_id", "tags"},
		"add_order_note":   {"order_id", "note"},
		"adjust_inventory": {"inventory_item_id", "location_id", "delta"},
	} {
		if got, err := s.Check("shop", op); err != nil || !slices.Equal(got, want) {
			t.Errorf("Check(%s) = %v, %v", op, got, err)
		}
	}
}

// checkSent verifies the GraphQL request and returns its variables.
func checkSent(t *testing.T, v *kindtest.Vendor, mutation string) map[string]any {
	t.Helper()
	got := v.Last(t)
	if got.Method != http.MethodPost || got.Path != "/admin/api/2026-10/graphql.json" {
		t.Errorf("sent %s %s", got.Method, got.Path)
	}
	if got.Header.Get("X-Shopify-Access-Token") != token || got.Header.Get("Content-Type") != "application/json" {
		t.Errorf("headers %v", got.Header)
	}
	body := got.JSON(t)
	if q, _ := body["query"].(string); !strings.Contains(q, mutation+"(") || !strings.HasPrefix(q, "mutation ") {
		t.Errorf("query %q does not call %s", q, mutation)
	}
	vars, _ := body["variables"].(map[string]any)
	return vars
}

func TestTagOrder(t *testing.T) {
	v := kindtest.Serve(t, kindtest.Reply{Status: 200, Body: `{"data": {"tagsAdd": {"node": {"id": "gid://shopify/Order/5678"}, "userErrors": []}},
  "extensions": {"cost": {"requestedQueryCost": 10, "actualQueryCost": 10, "throttleStatus": {"maximumAvailable": 2000.0, "currentlyAvailable": 1990, "restoreRate": 100.0}}}}`})
	res, err := kindtest.Call(t, load(t, v), "shop", "tag_order", map[string]any{"order_id": float64(5678), "tags": "vip, paid ,"}, token)
	if err != nil {
		t.Fatal(err)
	}
	vars := checkSent(t, v, "tagsAdd")
	if want := map[string]any{"id": "gid://shopify/Order/5678", "tags": []any{"vip", "paid"}}; !reflect.DeepEqual(vars, want) {
		t.Errorf("variables %v, want %v", vars, want)
	}
	if !reflect.DeepEqual(res.Output, map[string]any{"id": "gid://shopify/Order/5678"}) {
		t.Errorf("output %v", res.Output)
	}
	if res.Request.Headers["X-Shopify-Access-Token"] != "[redacted]" {
		t.Errorf("recorded token header %q", res.Request.Headers["X-Shopify-Access-Token"])
	}
}

func TestAddOrderNote(t *testing.T) {
	v := kindtest.Serve(t, kindtest.Reply{Status: 200, Body: `{"data": {"orderUpdate": {"order": {"id": "gid://shopify/Order/5678", "note": "CRM 512"}, "userErrors": []}}}`})
	res, err := kindtest.Call(t, load(t, v), "shop", "add_order_note", map[string]any{"order_id": "gid://shopify/Order/5678", "note": "CRM 512"}, token)
	if err != nil {
		t.Fatal(err)
	}
	vars := checkSent(t, v, "orderUpdate")
	if want := map[string]any{"input": map[string]any{"id": "gid://shopify/Order/5678", "note": "CRM 512"}}; !reflect.DeepEqual(vars, want) {
		t.Errorf("variables %v, want %v", vars, want)
	}
	if !reflect.DeepEqual(res.Output, map[string]any{"id": "gid://shopify/Order/5678", "note": "CRM 512"}) {
		t.Errorf("output %v", res.Output)
	}
}

func TestAdjustInventory(t *testing.T) {
	v := kindtest.Serve(t, kindtest.Reply{Status: 200, Body: `{"data": {"inventoryAdjustQuantities": {
  "inventoryAdjustmentGroup": {"id": "gid://shopify/InventoryAdjustmentGroup/1", "reason": "correction",
    "changes": [{"name": "available", "delta": -2, "quantityAfterChange": 8}, {"name": "on_hand", "delta": -2, "quantityAfterChange": 9}]},
  "userErrors": []}}}`})
	res, err := kindtest.Call(t, load(t, v), "shop", "adjust_inventory", map[string]any{
		"inventory_item_id": "30322695", "location_id": 124656943, "delta": "-2", "reference_document_uri": "hookflow://orders/5678",
	}, token)
	if err != nil {
		t.Fatal(err)
	}
	vars := checkSent(t, v, "inventoryAdjustQuantities")
	want := map[string]any{"idempotencyKey": "shop-orders/evt-1/adjust_inventory", "input": map[string]any{
		"reason": "correction", "name": "available", "referenceDocumentUri": "hookflow://orders/5678",
		"changes": []any{map[string]any{"inventoryItemId": "gid://shopify/InventoryItem/30322695", "locationId": "gid://shopify/Location/124656943", "delta": float64(-2), "changeFromQuantity": nil}},
	}}
	if !reflect.DeepEqual(vars, want) {
		t.Errorf("variables %v\nwant %v", vars, want)
	}
	out := res.Output.(map[string]any)
	if out["id"] != "gid://shopify/InventoryAdjustmentGroup/1" || len(out["changes"].([]any)) != 2 {
		t.Errorf("output %v", out)
	}
	if ch := out["changes"].([]any)[0].(map[string]any); ch["quantity_after"] != int64(8) || ch["delta"] != int64(-2) {
		t.Errorf("change %v", ch)
	}
}

func TestFailures(t *testing.T) {
	for _, tc := range []struct {
		name       string
		reply      kindtest.Reply
		retryable  bool
		retryAfter time.Duration
		want       string
	}{
		{"userErrors", kindtest.Reply{Status: 200, Body: `{"data": {"tagsAdd": {"node": null, "userErrors": [{"field": ["id"], "message": "Order does not exist"}]}}}`},
			false, 0, "Shopify tagsAdd: id: Order does not exist"},
		{"throttled", kindtest.Reply{Status: 200, Body: `{"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"}}],
  "extensions": {"cost": {"requestedQueryCost": 752, "actualQueryCost": null, "throttleStatus": {"maximumAvailable": 1000.0, "currentlyAvailable": 666, "restoreRate": 50.0}}}}`},
			true, 2 * time.Second, "Shopify GraphQL: THROTTLED: Throttled"},
		{"access denied", kindtest.Reply{Status: 200, Body: `{"errors": [{"message": "Access denied for tagsAdd field.", "extensions": {"code": "ACCESS_DENIED"}}]}`},
			false, 0, "ACCESS_DENIED: Access denied for tagsAdd field. (the app needs the write_orders access scope)"},
		{"bad token", kindtest.Reply{Status: 401, Body: `{"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}`},
			false, 0, "HTTP 401 Unauthorized: [API] Invalid API key or access token (unrecognized login or wrong password) (check the integration's token"},
		{"shop not found", kindtest.Reply{Status: 404, Body: `{"errors": "Not Found"}`}, false, 0, "check base_url"},
		{"frozen", kindtest.Reply{Status: 402, Body: `{"errors": "Unavailable Shop"}`}, false, 0, "the shop is frozen or locked"},
		{"429", kindtest.Reply{Status: 429, Header: map[string]string{"Retry-After": "2.0"}, Body: `{"errors": "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."}`},
			true, 0, "HTTP 429 Too Many Requests: Exceeded 2 calls per second"},
		{"503", kindtest.Reply{Status: 503, Header: map[string]string{"Retry-After": "5"}, Body: "Service Unavailable"}, true, 5 * time.Second, "HTTP 503"},
		{"no data", kindtest.Reply{Status: 200, Body: `{"data": {"tagsAdd": null}}`}, false, 0, "no tagsAdd in the answer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := kindtest.Serve(t, tc.reply)
			_, err := kindtest.Call(t, load(t, v), "shop", "tag_order", map[string]any{"order_id": "5678", "tags": []any{"vip"}}, token)
			e := kindtest.Failure(t, err, tc.retryable)
			if e.RetryAfter != tc.retryAfter || !strings.Contains(e.Message, tc.want) {
				t.Errorf("RetryAfter %v, message %q; want %v, %q", e.RetryAfter, e.Message, tc.retryAfter, tc.want)
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	v := kindtest.Serve(t, kindtest.Reply{Status: 200})
	s := load(t, v)
	for _, tc := range []struct {
		op    string
		input map[string]any
		want  string
	}{
		{"tag_order", map[string]any{"order_id": "gid://shopify/Product/1", "tags": "a"}, "with.order_id must be a Shopify Order id (gid://shopify/Order/…), got an id of another type"},
		{"tag_order", map[string]any{"order_id": "#1001", "tags": "a"}, "with.order_id must be a numeric Shopify Order id"},
		{"tag_order", map[string]any{"order_id": "1", "tags": " , "}, "with.tags must name at least one tag"},
		{"tag_order", map[string]any{"order_id": "1", "tags": []any{"a", 2}}, "with.tags[1] must be a string, got a number"},
		{"adjust_inventory", map[string]any{"inventory_item_id": 1, "location_id": 2, "delta": 0}, "with.delta must not be 0"},
		{"adjust_inventory", map[string]any{"inventory_item_id": 1, "location_id": 2, "delta": 1.5}, "with.delta must be a whole number, got a number"},
		{"add_order_note", map[string]any{"order_id": 1, "note": "x", "tags": "y"}, "with.tags: unknown field (takes: note, order_id)"},
	} {
		_, err := kindtest.Call(t, s, "shop", tc.op, tc.input, token)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %v: error %v, want %q", tc.op, tc.input, err, tc.want)
		}
	}
	if v.Count() != 0 {
		t.Error("bad input reached Shopify")
	}
}

// shopifyAPI stands in for the Admin GraphQL API as Shopify serves it on
// 2026-11-29 (shopify.dev/docs/api/usage/versioning): stable versions
// 2026-01 to 2026-10 are supported; a request for an older version "falls
// forward" to the oldest supported one, which X-Shopify-API-Version shows.
// From 2026-04 inventoryAdjustQuantities needs @idempotent(key:) and a
// changeFromQuantity (null to opt out) on every change.
func shopifyAPI(t *testing.T, answer string) *kindtest.Vendor {
	supported := []string{"2026-01", "2026-04", "2026-07", "2026-10"}
	return kindtest.ServeFunc(t, func(g kindtest.Got) kindtest.Reply {
		if g.Header.Get("X-Shopify-Access-Token") != token {
			return kindtest.Reply{Status: 401, Body: `{"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}`}
		}
		version := strings.TrimSuffix(strings.TrimPrefix(g.Path, "/admin/api/"), "/graphql.json")
		served := version
		if !slices.Contains(supported, version) {
			served = supported[0]
		}
		h := map[string]string{"X-Shopify-API-Version": served}
		var body struct {
			Query     string         `json:"query"`
			Variables map[string]any `json:"variables"`
		}
		_ = json.Unmarshal(g.Body, &body)
		if strings.Contains(body.Query, "inventoryAdjustQuantities(") && served >= "2026-04" {
			input, _ := body.Variables["input"].(map[string]any)
			changes, _ := input["changes"].([]any)
			for _, c := range changes {
				if _, ok := c.(map[string]any)["changeFromQuantity"]; !ok {
					return kindtest.Reply{Status: 200, Header: h, Body: `{"errors": [{"message": "Variable $input of type InventoryAdjustQuantitiesInput! was provided invalid value for changes.0.changeFromQuantity (Expected value to not be null)", "extensions": {"code": "INVALID_VARIABLE"}}]}`}
				}
			}
			if !strings.Contains(body.Query, "@idempotent(key: $idempotencyKey)") || body.Variables["idempotencyKey"] == nil {
				return kindtest.Reply{Status: 200, Header: h, Body: `{"errors": [{"message": "The @idempotent directive is required for this mutation.", "extensions": {"code": "BAD_REQUEST"}}]}`}
			}
		}
		return kindtest.Reply{Status: 200, Header: h, Body: answer}
	})
}

// Defect 3 (issue 13): the default API version is one Shopify supports,
// and adjust_inventory sends what 2026-04 and later require: the step's
// idempotency key in @idempotent(key:), and changeFromQuantity.
func TestAdjustInventoryCurrentVersion(t *testing.T) {
	v := shopifyAPI(t, `{"data": {"inventoryAdjustQuantities": {
  "inventoryAdjustmentGroup": {"id": "gid://shopify/InventoryAdjustmentGroup/1", "reason": "correction",
    "changes": [{"name": "available", "delta": -2, "quantityAfterChange": 8}]}, "userErrors": []}}}`)
	s := load(t, v)
	for _, in := range []map[string]any{
		{"inventory_item_id": 30322695, "location_id": 124656943, "delta": -2},
		{"inventory_item_id": 30322695, "location_id": 124656943, "delta": -2, "change_from_quantity": 10},
	} {
		res, err := kindtest.Call(t, s, "shop", "adjust_inventory", in, token)
		if err != nil {
			t.Fatal(err)
		}
		got := v.Last(t)
		if res.Response.Headers["X-Shopify-Api-Version"] != shopify.DefaultAPIVersion || !strings.HasPrefix(got.Path, "/admin/api/"+shopify.DefaultAPIVersion+"/") {
			t.Errorf("sent to %s, served as %s", got.Path, res.Response.Headers["X-Shopify-Api-Version"])
		}
		body := got.JSON(t)
		vars := body["variables"].(map[string]any)
		if vars["idempotencyKey"] != "shop-orders/evt-1/adjust_inventory" {
			t.Errorf("idempotency key %v", vars["idempotencyKey"])
		}
		change := vars["input"].(map[string]any)["changes"].([]any)[0].(map[string]any)
		if want := in["change_from_quantity"]; want == nil && change["changeFromQuantity"] != nil || want != nil && change["changeFromQuantity"] != float64(10) {
			t.Errorf("changeFromQuantity %v, want %v", change["changeFromQuantity"], want)
		}
	}
}

func TestAPIVersionSupportWindow(t *testing.T) {
	_, err := kindtest.LoadErr(t, "shop:\n  kind: shopify\n  base_url: https://acme.myshopify.com\n  token: x\n  api_version: \"2024-01\"\n")
	if err == nil || !strings.Contains(err.Error(), "api_version 2024-01 is past Shopify's support window") {
		t.Errorf("old version: %v", err)
	}
	if shopify.DefaultAPIVersion < "2026-04" {
		t.Errorf("DefaultAPIVersion %s", shopify.DefaultAPIVersion)
	}
}

// readAPI stands in for the order and customer queries (Admin GraphQL
// 2026-10, checked 2026-11-29): an unknown id answers null, and
// customers(query:) matches the quoted email exactly.
func readAPI(t *testing.T) *kindtest.Vendor {
	return kindtest.ServeFunc(t, func(g kindtest.Got) kindtest.Reply {
		var body struct {
			Query     string         `json:"query"`
			Variables map[string]any `json:"variables"`
		}
		_ = json.Unmarshal(g.Body, &body)
		ada := `{"id": "gid://shopify/Customer/207", "email": "ada@example.com", "firstName": "Ada", "lastName": "Lovelace", "tags": ["vip"], "numberOfOrders": "3", "amountSpent": {"amount": "1250.50", "currencyCode": "EUR"}}`
		switch {
		case strings.HasPrefix(body.Query, "query getOrder(") && body.Variables["id"] == "gid://shopify/Order/5678":
			return kindtest.Reply{Status: 200, Body: `{"data": {"order": {"id": "gid://shopify/Order/5678", "name": "#1001", "email": "ada@example.com", "displayFinancialStatus": "PAID", "displayFulfillmentStatus": "UNFULFILLED", "tags": ["vip"], "note": null, "totalPriceSet": {"shopMoney": {"amount": "598.94", "currencyCode": "USD"}}, "customer": {"id": "gid://shopify/Customer/207"}}}}`}
		case strings.HasPrefix(body.Query, "query getOrder("):
			return kindtest.Reply{Status: 200, Body: `{"data": {"order": null}}`}
		case strings.HasPrefix(body.Query, "query getCustomer(") && body.Variables["id"] == "gid://shopify/Customer/207":
			return kindtest.Reply{Status: 200, Body: `{"data": {"customer": ` + ada + `}}`}
		case strings.HasPrefix(body.Query, "query findCustomer(") && body.Variables["query"] == `email:"ada@example.com"`:
			return kindtest.Reply{Status: 200, Body: `{"data": {"customers": {"nodes": [` + ada + `]}}}`}
		case strings.HasPrefix(body.Query, "query findCustomer("):
			return kindtest.Reply{Status: 200, Body: `{"data": {"customers": {"nodes": []}}}`}
		}
		return kindtest.Reply{Status: 200, Body: `{"data": {"customer": null}}`}
	})
}

// Issue 13, read operations: get an order or a customer, with
// output.found and output.id.
func TestGetOrderAndCustomer(t *testing.T) {
	v := readAPI(t)
	s := load(t, v)
	get := func(op string, in map[string]any) map[string]any {
		t.Helper()
		res, err := kindtest.Call(t, s, "shop", op, in, token)
		if err != nil {
			t.Fatalf("%s %v: %v", op, in, err)
		}
		return res.Output.(map[string]any)
	}
	if out := get("get_order", map[string]any{"order_id": 5678}); out["found"] != true || out["id"] != "gid://shopify/Order/5678" || out["financial_status"] != "PAID" || out["total"] != "598.94" || out["customer_id"] != "gid://shopify/Customer/207" {
		t.Errorf("get_order %v", out)
	}
	if out := get("get_order", map[string]any{"order_id": 1}); out["found"] != false || out["id"] != nil {
		t.Errorf("missing order %v", out)
	}
	for _, in := range []map[string]any{{"customer_id": "207"}, {"email": " ada@example.com "}} {
		if out := get("get_customer", in); out["found"] != true || out["id"] != "gid://shopify/Customer/207" || out["orders_count"] != "3" {
			t.Errorf("get_customer %v: %v", in, out)
		}
	}
	if out := get("get_customer", map[string]any{"email": `x@y.example" OR email:*`}); out["found"] != false {
		t.Errorf("a quote in the address widened the search: %v", out)
	}
	if q := v.Last(t).JSON(t)["variables"].(map[string]any)["query"]; q != `email:"x@y.example\" OR email:*"` {
		t.Errorf("search %q", q)
	}
	if _, err := kindtest.Call(t, s, "shop", "get_customer", map[string]any{}, token); err == nil || !strings.Contains(err.Error(), "with.customer_id or with.email is required") {
		t.Errorf("no key: %v", err)
	}
}
