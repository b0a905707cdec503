package woocommerce_test

import (
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/integrations"
	"github.com/hookflow/hookflow/integrations/internal/kindtest"
)

const (
	key    = "ck_1234567890abcdef1234567890abcdef12345678"
	secret = "cs_secret0987654321fedcba0987654321fedcba09"
)

func load(t *testing.T, v *kindtest.Vendor) *integrations.Set {
	return kindtest.Load(t, "store:\n  kind: woocommerce\n  base_url: "+v.URL+"/shop\n  consumer_key: "+key+"\n  consumer_secret: "+secret+"\n")
}

func TestConfig(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"no base", "s:\n  kind: woocommerce\n  consumer_key: k\n  consumer_secret: s\n", "integrations.s.base_url is required"},
		{"plain http", "s:\n  kind: woocommerce\n  base_url: http://shop.example\n  consumer_key: k\n  consumer_secret: s\n", "hookflow.yaml:3:13: integrations.s.base_url must be https: the credential is sent with every request"},
		{"no secret", "s:\n  kind: woocommerce\n  base_url: https://shop.example\n  consumer_key: k\n", "integrations.s.consumer_secret is required"},
	} {
		_, err := kindtest.LoadErr(t, tc.doc)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
}

func checkSent(t *testing.T, got kindtest.Got, path string) map[string]any {
	t.Helper()
	if got.Method != http.MethodPut || got.Path != path {
		t.Errorf("sent %s %s, want PUT %s", got.Method, got.Path, path)
	}
	if u, p, ok := (&http.Request{Header: got.Header}).BasicAuth(); !ok || u != key || p != secret {
		t.Errorf("basic auth %q:%q", u, p)
	}
	if got.Header.Get("Content-Type") != "application/json" {
		t.Errorf("Content-Type %q", got.Header.Get("Content-Type"))
	}
	return got.JSON(t)
}

func TestUpdateOrder(t *testing.T) {
	v := kindtest.Serve(t, kindtest.Reply{Status: 200, Body: `{"id": 727, "parent_id": 0, "number": "727", "order_key": "wc_order_58d2d042d1d", "status": "completed",
  "currency": "USD", "total": "29.35", "customer_id": 0, "customer_note": "", "meta_data": [{"id": 1, "key": "crm_id", "value": "512"}]}`})
	res, err := kindtest.Call(t, load(t, v), "store", "update_order", map[string]any{
		"order_id": "727", "status": "completed", "fields": map[string]any{"meta_data": []any{map[string]any{"key": "crm_id", "value": "512"}}},
	}, secret, key)
	if err != nil {
		t.Fatal(err)
	}
	body := checkSent(t, v.Last(t), "/shop/wp-json/wc/v3/orders/727")
	want := map[string]any{"status": "completed", "meta_data": []any{map[string]any{"key": "crm_id", "value": "512"}}}
	if !reflect.DeepEqual(body, want) {
		t.Errorf("body %v", body)
	}
	if want := map[string]any{"id": int64(727), "status": "completed", "number": "727"}; !reflect.DeepEqual(res.Output, want) {
		t.Errorf("output %v", res.Output)
	}
	if res.Request.Headers["Authorization"] != "[redacted]" {
		t.Errorf("recorded Authorization %q", res.Request.Headers["Authorization"])
	}
}

func TestUpdateStock(t *testing.T) {
	v := kindtest.Serve(t, kindtest.Reply{Status: 200, Body: `{"id": 799, "sku": "TS-BLUE-M", "manage_stock": true, "stock_quantity": 12, "stock_status": "instock"}`})
	s := load(t, v)
	res, err := kindtest.Call(t, s, "store", "update_stock", map[string]any{"product_id": float64(794), "variation_id": 799, "stock_quantity": "12"}, secret, key)
	if err != nil {
		t.Fatal(err)
	}
	body := checkSent(t, v.Last(t), "/shop/wp-json/wc/v3/products/794/variations/799")
	if want := map[string]any{"manage_stock": true, "stock_quantity": float64(12)}; !reflect.DeepEqual(body, want) {
		t.Errorf("body %v", body)
	}
	if want := map[string]any{"id": int64(799), "stock_quantity": int64(12), "stock_status": "instock"}; !reflect.DeepEqual(res.Output, want) {
		t.Errorf("output %v", res.Output)
	}
	if _, err := kindtest.Call(t, s, "store", "update_stock", map[string]any{"product_id": 794, "stock_quantity": 0}, secret, key); err != nil {
		t.Fatal(err)
	}
	checkSent(t, v.Last(t), "/shop/wp-json/wc/v3/products/794")
}

func TestFailures(t *testing.T) {
	for _, tc := range []struct {
		name      string
		reply     kindtest.Reply
		retryable bool
		want      string
	}{
		{"unknown order", kindtest.Reply{Status: 404, Body: `{"code": "woocommerce_rest_shop_order_invalid_id", "message": "Invalid ID.", "data": {"status": 404}}`},
			false, "HTTP 404 Not Found: woocommerce_rest_shop_order_invalid_id: Invalid ID."},
		{"read-only key", kindtest.Reply{Status: 401, Body: `{"code": "woocommerce_rest_cannot_edit", "message": "Sorry, you are not allowed to edit this resource.", "data": {"status": 401}}`},
			false, "woocommerce_rest_cannot_edit: Sorry, you are not allowed to edit this resource. (check the integration's consumer_key and consumer_secret"},
		{"bad status", kindtest.Reply{Status: 400, Body: `{"code": "rest_invalid_param", "message": "Invalid parameter(s): status", "data": {"status": 400, "params": {"status": "status is not one of pending, processing, on-hold, completed, cancelled, refunded, failed, and checkout-draft."}}}`},
			false, "rest_invalid_param: Invalid parameter(s): status"},
		{"host down", kindtest.Reply{Status: 503, Body: "<html><title>Service Unavailable</title></html>"}, true, "HTTP 503"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := kindtest.Serve(t, tc.reply)
			_, err := kindtest.Call(t, load(t, v), "store", "update_order", map[string]any{"order_id": 727, "status": "completed"}, secret, key)
			e := kindtest.Failure(t, err, tc.retryable)
			if !strings.Contains(e.Message, tc.want) {
				t.Errorf("message %q, want %q", e.Message, tc.want)
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
		{"update_order", map[string]any{"order_id": 1}, "with.status or with.fields is required"},
		{"update_order", map[string]any{"order_id": "../products/1", "status": "x"}, "with.order_id must be a whole number"},
		{"update_order", map[string]any{"order_id": -1, "status": "x"}, "with.order_id must be a positive id"},
		{"update_stock", map[string]any{"product_id": 1, "stock_quantity": 1.5}, "with.stock_quantity must be a whole number"},
	} {
		_, err := kindtest.Call(t, s, "store", tc.op, tc.input, secret)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.op, err, tc.want)
		}
	}
	if v.Count() != 0 {
		t.Error("bad input reached the store")
	}
}

// strippingHost stands in for a WordPress host that drops the
// Authorization header before WooCommerce sees it, as some do
// (woocommerce.github.io/woocommerce-rest-api-docs/#authentication-over-https,
// checked 2026-11-29): only query-string credentials get through.
func strippingHost(t *testing.T) *kindtest.Vendor {
	return kindtest.ServeFunc(t, func(g kindtest.Got) kindtest.Reply {
		q, _ := url.ParseQuery(g.Query)
		if q.Get("consumer_key") != key || q.Get("consumer_secret") != secret {
			return kindtest.Reply{Status: 401, Body: `{"code": "woocommerce_rest_authentication_error", "message": "Consumer key is missing.", "data": {"status": 401}}`}
		}
		return kindtest.Reply{Status: 200, Body: `{"id": 727, "status": "completed", "number": "727"}`}
	})
}

// Defect 5 (issue 13): the documented fallback for hosts that strip the
// Authorization header is the key and secret in the query string.
func TestQueryStringCredentials(t *testing.T) {
	v := strippingHost(t)
	basic := kindtest.Load(t, "store:\n  kind: woocommerce\n  base_url: "+v.URL+"\n  consumer_key: "+key+"\n  consumer_secret: "+secret+"\n")
	_, err := kindtest.Call(t, basic, "store", "update_order", map[string]any{"order_id": 727, "status": "completed"}, secret, key)
	if e := kindtest.Failure(t, err, false); !strings.Contains(e.Message, "Consumer key is missing. (this host drops the Authorization header: set auth: query") {
		t.Errorf("basic auth on a stripping host: %q", e.Message)
	}
	s := kindtest.Load(t, "store:\n  kind: woocommerce\n  base_url: "+v.URL+"\n  auth: query\n  consumer_key: "+key+"\n  consumer_secret: "+secret+"\n")
	res, err := kindtest.Call(t, s, "store", "update_order", map[string]any{"order_id": 727, "status": "completed"}, secret, key)
	if err != nil {
		t.Fatal(err)
	}
	if got := v.Last(t); got.Header.Get("Authorization") != "" || got.Path != "/wp-json/wc/v3/orders/727" {
		t.Errorf("sent %s with Authorization %q", got.Path, got.Header.Get("Authorization"))
	}
	if !strings.HasSuffix(res.Request.URL, "/wp-json/wc/v3/orders/727?consumer_key=[redacted]&consumer_secret=[redacted]") {
		t.Errorf("recorded %s", res.Request.URL)
	}
	if _, err := kindtest.LoadErr(t, "store:\n  kind: woocommerce\n  base_url: https://shop.example\n  auth: oauth1\n  consumer_key: k\n  consumer_secret: s\n"); err == nil || !strings.Contains(err.Error(), "integrations.store.auth must be basic (the default) or query") {
		t.Errorf("bad auth: %v", err)
	}
}

// store stands in for the orders, order notes and customers endpoints
// (REST API v3, checked 2026-11-29): an unknown order answers 404
// woocommerce_rest_shop_order_invalid_id.
func store(t *testing.T) *kindtest.Vendor {
	return kindtest.ServeFunc(t, func(g kindtest.Got) kindtest.Reply {
		if u, p, ok := (&http.Request{Header: g.Header}).BasicAuth(); !ok || u != key || p != secret {
			return kindtest.Reply{Status: 401, Body: `{"code": "woocommerce_rest_cannot_view", "message": "Sorry, you cannot view this resource.", "data": {"status": 401}}`}
		}
		switch {
		case g.Method == http.MethodGet && g.Path == "/wp-json/wc/v3/orders/727":
			return kindtest.Reply{Status: 200, Body: `{"id": 727, "status": "processing", "number": "727", "total": "29.35", "currency": "USD", "customer_id": 26, "billing": {"email": "ada@example.com"}}`}
		case g.Method == http.MethodPost && g.Path == "/wp-json/wc/v3/orders/727/notes":
			return kindtest.Reply{Status: 201, Body: `{"id": 281, "author": "system", "note": "CRM 512", "customer_note": false}`}
		case g.Method == http.MethodPut && g.Path == "/wp-json/wc/v3/customers/26":
			return kindtest.Reply{Status: 200, Body: `{"id": 26, "email": "ada@example.com", "first_name": "Ada", "last_name": "Lovelace"}`}
		}
		return kindtest.Reply{Status: 404, Body: `{"code": "woocommerce_rest_shop_order_invalid_id", "message": "Invalid ID.", "data": {"status": 404}}`}
	})
}

// Issue 13, read and update: get an order (output.found), add an order
// note, update a customer.
func TestReadAndUpdate(t *testing.T) {
	v := store(t)
	s := kindtest.Load(t, "store:\n  kind: woocommerce\n  base_url: "+v.URL+"\n  consumer_key: "+key+"\n  consumer_secret: "+secret+"\n")
	call := func(op string, in map[string]any) map[string]any {
		t.Helper()
		res, err := kindtest.Call(t, s, "store", op, in, secret, key)
		if err != nil {
			t.Fatalf("%s: %v", op, err)
		}
		return res.Output.(map[string]any)
	}
	if out := call("get_order", map[string]any{"order_id": "727"}); !reflect.DeepEqual(out, map[string]any{"found": true, "id": int64(727), "status": "processing", "number": "727", "total": "29.35", "currency": "USD", "customer_id": int64(26), "email": "ada@example.com"}) {
		t.Errorf("get_order %v", out)
	}
	if out := call("get_order", map[string]any{"order_id": 728}); out["found"] != false || out["id"] != nil {
		t.Errorf("missing order %v", out)
	}
	if out := call("add_order_note", map[string]any{"order_id": 727, "note": "CRM 512", "customer_note": false}); out["id"] != int64(281) {
		t.Errorf("add_order_note %v", out)
	}
	if b := v.Last(t).JSON(t); !reflect.DeepEqual(b, map[string]any{"note": "CRM 512", "customer_note": false}) {
		t.Errorf("note body %v", b)
	}
	if out := call("update_customer", map[string]any{"customer_id": 26, "fields": map[string]any{"first_name": "Ada"}}); out["id"] != int64(26) || out["email"] != "ada@example.com" {
		t.Errorf("update_customer %v", out)
	}
	n := v.Count()
	for _, id := range []any{"../customers/1", "1?x", "1#y", "1;z", "%31"} {
		if _, err := kindtest.Call(t, s, "store", "get_order", map[string]any{"order_id": id}, secret); err == nil || !strings.Contains(err.Error(), "with.order_id must be a whole number") {
			t.Errorf("order_id %q: %v", id, err)
		}
	}
	if v.Count() != n {
		t.Error("a non-numeric id reached the store")
	}
}
