package stripe_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookflow/hookflow/integrations"
	"github.com/hookflow/hookflow/integrations/internal/kindtest"
	"github.com/hookflow/hookflow/integrations/stripe"
)

const apiKey = "sk_test_51Hc0FFEEsecretKEY0000canary"

// stripeAPI stands in for Stripe's v1 API as documented today
// (docs.stripe.com/api at 2026-11-18.endive, checked 2026-11-29): bearer
// secret key, a Stripe-Version header, form-encoded POST bodies with
// metadata[key] and pricing[price] (invoice items lost price in
// 2025-03-31.basil), unknown parameters refused, and Idempotency-Key
// semantics: the first answer to a key, a 500 included, is saved and
// replayed with Idempotent-Replayed: true, and the same key with other
// parameters is an idempotency_error.
type stripeAPI struct {
	*kindtest.Vendor
	mu        sync.Mutex
	customers []map[string]any
	objects   map[string]map[string]any
	saved     map[string]savedAnswer
	next      int
	fail      int // the next request's status, saved like any answer
}

type savedAnswer struct {
	params string
	reply  kindtest.Reply
}

// params each endpoint takes (beyond metadata[…]).
var params = map[string][]string{
	"POST /v1/customers":           {"email", "name", "phone", "description"},
	"POST /v1/customers/*":         {"email", "name", "phone", "description"},
	"POST /v1/invoices":            {"customer", "collection_method", "days_until_due", "description", "currency", "auto_advance", "pending_invoice_items_behavior"},
	"POST /v1/invoiceitems":        {"customer", "invoice", "amount", "currency", "pricing[price]", "quantity", "description"},
	"POST /v1/invoices/*/finalize": {"auto_advance"},
	"POST /v1/invoices/*/send":     {},
	"POST /v1/refunds":             {"payment_intent", "charge", "amount", "reason"},
}

func serve(t *testing.T) *stripeAPI {
	s := &stripeAPI{objects: map[string]map[string]any{}, saved: map[string]savedAnswer{}, next: 100}
	s.Vendor = kindtest.ServeFunc(t, s.answer)
	return s
}

func reply(status int, v any) kindtest.Reply {
	b, _ := json.Marshal(v)
	return kindtest.Reply{Status: status, Header: map[string]string{"Request-Id": "req_test"}, Body: string(b)}
}

func stripeError(status int, typ, code, param, msg string) kindtest.Reply {
	return reply(status, map[string]any{"error": map[string]any{"type": typ, "code": code, "param": param, "message": msg,
		"doc_url": "https://docs.stripe.com/error-codes/" + code, "request_log_url": "https://dashboard.stripe.com/test/logs/req_test"}})
}

func (s *stripeAPI) answer(g kindtest.Got) kindtest.Reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case g.Header.Get("Authorization") != "Bearer "+apiKey:
		return stripeError(401, "invalid_request_error", "", "", "Invalid API Key provided: sk_test_****")
	case g.Header.Get("Stripe-Version") != stripe.APIVersion:
		return stripeError(400, "invalid_request_error", "", "", "Stripe-Version "+g.Header.Get("Stripe-Version")+" is not the pinned one")
	}
	if g.Method == http.MethodGet {
		return s.read(g)
	}
	if ct := g.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		return stripeError(400, "invalid_request_error", "", "", "Stripe takes form-encoded bodies, got "+ct)
	}
	form, err := url.ParseQuery(string(g.Body))
	if err != nil {
		return stripeError(400, "invalid_request_error", "", "", "malformed body")
	}
	route := g.Method + " " + pattern(g.Path)
	allowed, ok := params[route]
	if !ok {
		return stripeError(404, "invalid_request_error", "", "", "Unrecognized request URL ("+g.Method+": "+g.Path+")")
	}
	for k := range form {
		if !slices.Contains(allowed, k) && !strings.HasPrefix(k, "metadata[") {
			return stripeError(400, "invalid_request_error", "parameter_unknown", k, "Received unknown parameter: "+k)
		}
	}
	key := g.Header.Get("Idempotency-Key")
	if len(key) > 255 {
		return stripeError(400, "invalid_request_error", "", "", "Idempotency-Key is longer than 255 characters")
	}
	if sv, ok := s.saved[key]; ok && key != "" {
		if sv.params != route+"?"+form.Encode() {
			return stripeError(400, "idempotency_error", "", "", "Keys for idempotent requests can only be used with the same parameters they were first used with.")
		}
		rep := sv.reply
		rep.Header = map[string]string{"Idempotent-Replayed": "true"}
		return rep
	}
	rep := s.write(g.Path, form)
	if s.fail != 0 {
		rep, s.fail = stripeError(s.fail, "api_error", "", "", "An unknown error occurred"), 0
	}
	if key != "" {
		s.saved[key] = savedAnswer{params: route + "?" + form.Encode(), reply: rep}
	}
	return rep
}

// pattern turns ids in a path into "*".
func pattern(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if strings.Contains(s, "_") {
			parts[i] = "*"
		}
	}
	return strings.Join(parts, "/")
}

func (s *stripeAPI) id(prefix string) string {
	s.next++
	return fmt.Sprintf("%s_%d", prefix, s.next)
}

func metadata(form url.Values) map[string]any {
	m := map[string]any{}
	for k, v := range form {
		if name, ok := strings.CutPrefix(k, "metadata["); ok {
			m[strings.TrimSuffix(name, "]")] = v[0]
		}
	}
	return m
}

func (s *stripeAPI) read(g kindtest.Got) kindtest.Reply {
	q, _ := url.ParseQuery(g.Query)
	if g.Path != "/v1/customers" || q.Get("limit") != "1" || q.Get("email") == "" {
		return stripeError(400, "invalid_request_error", "", "", "list customers by email with limit=1 expected")
	}
	data := []any{}
	for i := len(s.customers) - 1; i >= 0; i-- { // newest first
		if s.customers[i]["email"] == q.Get("email") {
			data = append(data, s.customers[i])
		}
	}
	return reply(200, map[string]any{"object": "list", "url": "/v1/customers", "has_more": false, "data": data})
}

func (s *stripeAPI) write(path string, form url.Values) kindtest.Reply {
	parts := strings.Split(strings.TrimPrefix(path, "/v1/"), "/")
	switch {
	case path == "/v1/customers":
		c := map[string]any{"id": s.id("cus"), "object": "customer", "created": 1764400000, "livemode": false, "metadata": metadata(form)}
		for _, k := range []string{"email", "name", "phone", "description"} {
			c[k] = nil
			if form.Has(k) {
				c[k] = form.Get(k)
			}
		}
		s.customers = append(s.customers, c)
		return reply(200, c)
	case parts[0] == "customers":
		for _, c := range s.customers {
			if c["id"] == parts[1] {
				for k, v := range form {
					if !strings.HasPrefix(k, "metadata[") {
						c[k] = v[0]
					}
				}
				return reply(200, c)
			}
		}
		return stripeError(404, "invalid_request_error", "resource_missing", "id", "No such customer: '"+parts[1]+"'")
	case path == "/v1/invoices":
		inv := map[string]any{"id": s.id("in"), "object": "invoice", "status": "draft", "number": nil, "customer": form.Get("customer"),
			"currency": "usd", "amount_due": 0, "hosted_invoice_url": nil, "collection_method": "charge_automatically"}
		if form.Has("collection_method") {
			inv["collection_method"] = form.Get("collection_method")
		}
		if form.Has("currency") {
			inv["currency"] = form.Get("currency")
		}
		s.objects[inv["id"].(string)] = inv
		return reply(200, inv)
	case path == "/v1/invoiceitems":
		if !form.Has("amount") && !form.Has("pricing[price]") {
			return stripeError(400, "invalid_request_error", "parameter_missing", "amount", "Missing required param: amount.")
		}
		amount := 0
		if form.Has("amount") {
			fmt.Sscan(form.Get("amount"), &amount)
		} else {
			amount = 1099
		}
		item := map[string]any{"id": s.id("ii"), "object": "invoiceitem", "amount": amount, "currency": form.Get("currency"),
			"customer": form.Get("customer"), "invoice": nil}
		if inv, ok := s.objects[form.Get("invoice")]; ok {
			item["invoice"] = inv["id"]
			inv["amount_due"] = inv["amount_due"].(int) + amount
		}
		return reply(200, item)
	case parts[0] == "invoices":
		inv, ok := s.objects[parts[1]]
		if !ok {
			return stripeError(404, "invalid_request_error", "resource_missing", "invoice", "No such invoice: '"+parts[1]+"'")
		}
		if parts[2] == "finalize" {
			if inv["status"] != "draft" {
				return stripeError(400, "invalid_request_error", "invoice_not_editable", "", "This invoice is already finalized.")
			}
			inv["status"], inv["number"], inv["hosted_invoice_url"] = "open", "ACME-0001", "https://invoice.stripe.com/i/acct_test/"+parts[1]
		}
		return reply(200, inv)
	case path == "/v1/refunds":
		r := map[string]any{"id": s.id("re"), "object": "refund", "status": "succeeded", "amount": 4900, "currency": "usd",
			"payment_intent": nil, "charge": nil, "reason": nil, "metadata": metadata(form)}
		if form.Has("amount") {
			var n int
			fmt.Sscan(form.Get("amount"), &n)
			r["amount"] = n
		}
		for _, k := range []string{"payment_intent", "charge", "reason"} {
			if form.Has(k) {
				r[k] = form.Get(k)
			}
		}
		s.objects[r["id"].(string)] = r
		return reply(200, r)
	}
	return stripeError(404, "invalid_request_error", "", "", "Unrecognized request URL")
}

func (s *stripeAPI) count(prefix string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for id := range s.objects {
		if strings.HasPrefix(id, prefix) {
			n++
		}
	}
	if prefix == "cus_" {
		n = len(s.customers)
	}
	return n
}

func load(t *testing.T, v *kindtest.Vendor, extra string) *integrations.Set {
	return kindtest.Load(t, `
payments:
  kind: stripe
  base_url: `+v.URL+`
  api_key: `+apiKey+extra+`
`)
}

// call is kindtest.Call with a key of the test's choosing.
func call(t *testing.T, s *integrations.Set, op, key string, with map[string]any) (integrations.Result, error) {
	t.Helper()
	res, err := s.Call(t.Context(), integrations.Call{Integration: "payments", Operation: op, Input: with, IdempotencyKey: key})
	kindtest.NoSecret(t, res, err, apiKey)
	return res, err
}

func form(t *testing.T, g kindtest.Got) url.Values {
	t.Helper()
	f, err := url.ParseQuery(string(g.Body))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestConfig(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"api_key missing", "p:\n  kind: stripe\n", "hookflow.yaml:2:3: integrations.p.api_key is required"},
		{"publishable key", "p:\n  kind: stripe\n  api_key: pk_live_abc\n", "publishable keys (pk_…) cannot call these endpoints"},
		{"bad account", "p:\n  kind: stripe\n  api_key: sk_test_a\n  account: 42\n", "account must be a connected account id"},
		{"bad version", "p:\n  kind: stripe\n  api_key: sk_test_a\n  api_version: latest\n", "api_version must be a Stripe API version such as " + stripe.APIVersion},
		{"plain http", "p:\n  kind: stripe\n  api_key: sk_test_a\n  base_url: http://stripe.example\n", "base_url must be https"},
		{"retry past the key window", "p:\n  kind: stripe\n  api_key: sk_test_a\n  retry: { expire: 48h }\n", "retry.expire must be at most 24h for stripe"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := kindtest.LoadErr(t, tc.doc)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "pk_live_abc") {
				t.Errorf("the key is quoted: %v", err)
			}
		})
	}
	s := kindtest.Load(t, "p:\n  kind: stripe\n  api_key: sk_live_a\n  account: acct_1Nv0FGQ9RKHgCVdK\n")
	rec, err := s.Build(integrations.Call{Integration: "p", Operation: "create_refund", Input: map[string]any{"charge": "ch_1"}, IdempotencyKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	if rec.URL != "https://api.stripe.com/v1/refunds" || rec.Headers["Stripe-Version"] != stripe.APIVersion ||
		rec.Headers["Stripe-Account"] != "acct_1Nv0FGQ9RKHgCVdK" || rec.Headers["Authorization"] != "[redacted]" || rec.Body != "charge=ch_1" {
		t.Errorf("built %+v", rec)
	}
}

func TestRequired(t *testing.T) {
	s := kindtest.Load(t, "p:\n  kind: stripe\n  api_key: sk_test_a\n")
	for op, want := range map[string][]string{
		"find_customer": {"email"}, "find_or_create_customer": {"email"}, "create_customer": nil,
		"update_customer": {"customer_id"}, "create_invoice": {"customer"}, "add_invoice_item": {"customer"},
		"finalize_invoice": {"invoice_id"}, "send_invoice": {"invoice_id"}, "create_refund": nil,
	} {
		got, err := s.Check("p", op)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("Check(p, %s) = %v, %v; want %v", op, got, err, want)
		}
	}
}

// Customers: found by email (not found, then found), created once for a
// returning address, updated; the form carries metadata[key].
func TestCustomers(t *testing.T) {
	v := serve(t)
	s := load(t, v.Vendor, "")
	res, err := call(t, s, "find_customer", "", map[string]any{"email": " ada@example.com "})
	if out := res.Output.(map[string]any); err != nil || out["found"] != false || out["id"] != nil {
		t.Fatalf("find none: %v %v", res.Output, err)
	}
	if g := v.Last(t); g.Method != http.MethodGet || g.Query != "email=ada%40example.com&limit=1" || len(g.Body) != 0 {
		t.Errorf("find sent %s %s?%s %q", g.Method, g.Path, g.Query, g.Body)
	}
	with := map[string]any{"email": "ada@example.com", "name": "Ada Lovelace", "metadata": map[string]any{"shop_id": 512, "vip": true}}
	res, err = call(t, s, "find_or_create_customer", "shop/evt-1/r/customer", with)
	if err != nil {
		t.Fatal(err)
	}
	out := res.Output.(map[string]any)
	if out["created"] != true || out["found"] != false || !strings.HasPrefix(out["id"].(string), "cus_") || out["email"] != "ada@example.com" {
		t.Errorf("created %v", out)
	}
	f := form(t, v.Last(t))
	if want := (url.Values{"email": {"ada@example.com"}, "name": {"Ada Lovelace"}, "metadata[shop_id]": {"512"}, "metadata[vip]": {"true"}}); !reflect.DeepEqual(f, want) {
		t.Errorf("form %v, want %v", f, want)
	}
	if k := v.Last(t).Header.Get("Idempotency-Key"); k != "shop/evt-1/r/customer" {
		t.Errorf("Idempotency-Key %q", k)
	}
	// The next order of the same customer finds them: no second customer.
	res, err = call(t, s, "find_or_create_customer", "shop/evt-2/r/customer", with)
	if out := res.Output.(map[string]any); err != nil || out["found"] != true || out["created"] != false || out["id"] != res.Output.(map[string]any)["id"] || v.count("cus_") != 1 {
		t.Errorf("returning customer: %v %v, %d customers", res.Output, err, v.count("cus_"))
	}
	id := out["id"]
	res, err = call(t, s, "update_customer", "shop/evt-2/r/update", map[string]any{"customer_id": id, "phone": "+4915550100"})
	if out := res.Output.(map[string]any); err != nil || out["id"] != id {
		t.Errorf("update %v %v", res.Output, err)
	}
	if g := v.Last(t); g.Path != "/v1/customers/"+id.(string) || string(g.Body) != "phone=%2B4915550100" {
		t.Errorf("update sent %s %s", g.Path, g.Body)
	}
	// A customer id from event data stays one path segment.
	n := v.Count()
	if _, err := call(t, s, "update_customer", "k", map[string]any{"customer_id": "../invoices/in_1", "name": "x"}); err == nil || !strings.Contains(err.Error(), "with.customer_id: a URL path segment cannot be or contain the dot segment") || v.Count() != n {
		t.Errorf("climbing id: %v", err)
	}
	res, err = call(t, s, "update_customer", "k2", map[string]any{"customer_id": "cus_1?expand=x#y", "name": "x"})
	if g := v.Last(t); g.Path != "/v1/customers/cus_1%3Fexpand=x%23y" || g.Query != "" {
		t.Errorf("hostile id sent to %s?%s", g.Path, g.Query)
	}
	if e := kindtest.Failure(t, err, false); !strings.Contains(e.Message, "resource_missing, param id") {
		t.Errorf("404 message %q", e.Message)
	}
}

// An invoice for an order: a draft, a line, finalized, sent. Invoice
// items take pricing[price] (a plain price is refused since basil).
func TestInvoice(t *testing.T) {
	v := serve(t)
	s := load(t, v.Vendor, "")
	res, err := call(t, s, "create_invoice", "o/1/r/invoice", map[string]any{
		"customer": "cus_9", "collection_method": "send_invoice", "days_until_due": 14, "auto_advance": false,
		"currency": "eur", "metadata": map[string]any{"order_id": "1001"},
	})
	if err != nil {
		t.Fatal(err)
	}
	inv := res.Output.(map[string]any)
	if inv["status"] != "draft" || inv["customer"] != "cus_9" || inv["currency"] != "eur" || inv["amount_due"] != int64(0) {
		t.Errorf("invoice %v", inv)
	}
	if f := form(t, v.Last(t)); f.Get("days_until_due") != "14" || f.Get("auto_advance") != "false" || f.Get("metadata[order_id]") != "1001" {
		t.Errorf("invoice form %v", f)
	}
	if _, err := call(t, s, "add_invoice_item", "o/1/r/line", map[string]any{"customer": "cus_9", "invoice": inv["id"], "amount": 4900, "currency": "eur", "description": "Order #1001"}); err != nil {
		t.Fatal(err)
	}
	res, err = call(t, s, "add_invoice_item", "o/1/r/line2", map[string]any{"customer": "cus_9", "invoice": inv["id"], "price": "price_1MtGUs", "quantity": "2"})
	if err != nil {
		t.Fatal(err)
	}
	if f := form(t, v.Last(t)); f.Get("pricing[price]") != "price_1MtGUs" || f.Get("quantity") != "2" || f.Has("price") {
		t.Errorf("item form %v", f)
	}
	if out := res.Output.(map[string]any); out["invoice"] != inv["id"] || !strings.HasPrefix(out["id"].(string), "ii_") {
		t.Errorf("item %v", out)
	}
	res, err = call(t, s, "finalize_invoice", "o/1/r/finalize", map[string]any{"invoice_id": inv["id"], "auto_advance": true})
	if out := res.Output.(map[string]any); err != nil || out["status"] != "open" || out["number"] != "ACME-0001" || out["amount_due"] != int64(4900+1099) || out["hosted_invoice_url"] == nil {
		t.Errorf("finalized %v %v", res.Output, err)
	}
	if g := v.Last(t); g.Path != "/v1/invoices/"+inv["id"].(string)+"/finalize" || string(g.Body) != "auto_advance=true" {
		t.Errorf("finalize sent %s %s", g.Path, g.Body)
	}
	if _, err := call(t, s, "send_invoice", "o/1/r/send", map[string]any{"invoice_id": inv["id"]}); err != nil {
		t.Error(err)
	}
}

// A refund is made once: a retry with the step's key gets Stripe's saved
// answer, and the key Stripe sees is the step's (at most 255 characters).
func TestRefundIdempotent(t *testing.T) {
	v := serve(t)
	s := load(t, v.Vendor, "")
	with := map[string]any{"payment_intent": "pi_3MtwBwLkdIwHu7ix28a3tqPa", "amount": "1500", "reason": "requested_by_customer", "metadata": map[string]any{"return": "R-7"}}
	first, err := call(t, s, "create_refund", "shop/evt-9/refund-rule/refund", with)
	if err != nil {
		t.Fatal(err)
	}
	again, err := call(t, s, "create_refund", "shop/evt-9/refund-rule/refund", with)
	if err != nil || !reflect.DeepEqual(first.Output, again.Output) || v.count("re_") != 1 {
		t.Errorf("retry: %v vs %v (%v), %d refunds", again.Output, first.Output, err, v.count("re_"))
	}
	if out := first.Output.(map[string]any); out["status"] != "succeeded" || out["amount"] != int64(1500) || out["payment_intent"] != "pi_3MtwBwLkdIwHu7ix28a3tqPa" || out["charge"] != nil {
		t.Errorf("refund %v", out)
	}
	long := "shop/" + strings.Repeat("e", 300) + "/refund-rule/refund"
	if _, err := call(t, s, "create_refund", long, with); err != nil {
		t.Fatal(err)
	}
	k := v.Last(t).Header.Get("Idempotency-Key")
	if _, err := call(t, s, "create_refund", long, with); err != nil || len(k) != 255 || v.Last(t).Header.Get("Idempotency-Key") != k || v.count("re_") != 2 {
		t.Errorf("long key %q (%d), %v, %d refunds", k, len(k), err, v.count("re_"))
	}
}

// Stripe's own retry semantics: a saved 500 replayed for the same key is
// permanent (retrying gets the same answer for 24 hours), a fresh 500 and a
// 409 retry, Stripe-Should-Retry decides when it is sent, and a key reused
// with other parameters is an idempotency_error.
func TestIdempotencySemantics(t *testing.T) {
	v := serve(t)
	s := load(t, v.Vendor, "")
	with := map[string]any{"charge": "ch_1", "amount": 500}
	v.mu.Lock()
	v.fail = 500
	v.mu.Unlock()
	_, err := call(t, s, "create_refund", "k-500", with)
	if e := kindtest.Failure(t, err, true); e.Status != 500 || !strings.Contains(e.Message, "api_error") {
		t.Errorf("fresh 500: %q", e.Message)
	}
	res, err := call(t, s, "create_refund", "k-500", with)
	if e := kindtest.Failure(t, err, false); !strings.Contains(e.Message, "replayed its saved answer") {
		t.Errorf("replayed 500: %q", e.Message)
	}
	if res.Response.Headers["Idempotent-Replayed"] != "true" {
		t.Errorf("replay not recorded: %v", res.Response.Headers)
	}
	if _, err := call(t, s, "create_refund", "k-500", map[string]any{"charge": "ch_1", "amount": 600}); !strings.Contains(fmt.Sprint(err), "the step's input changed since its first attempt") {
		t.Errorf("idempotency_error: %v", err)
	} else {
		kindtest.Failure(t, err, false)
	}
	for _, tc := range []struct {
		name      string
		reply     kindtest.Reply
		retryable bool
	}{
		{"409 concurrent key", stripeError(409, "idempotency_error", "", "", "There is currently another in-progress request using this Idempotent Key."), true},
		{"409 lock", stripeError(409, "invalid_request_error", "lock_timeout", "", "This object cannot be accessed right now because another API request or Stripe process is currently accessing it."), true},
		{"500 should not retry", withHeader(stripeError(500, "api_error", "", "", "oops"), "Stripe-Should-Retry", "false"), false},
		{"400 should retry", withHeader(stripeError(400, "invalid_request_error", "lock_timeout", "", "locked"), "Stripe-Should-Retry", "true"), true},
		{"replayed 500 that says retry", withHeader(withHeader(stripeError(500, "api_error", "", "", "oops"), "Stripe-Should-Retry", "true"), "Idempotent-Replayed", "true"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			one := kindtest.Serve(t, tc.reply)
			_, err := call(t, load(t, one, ""), "create_refund", "k", with)
			kindtest.Failure(t, err, tc.retryable)
		})
	}
}

func withHeader(r kindtest.Reply, k, v string) kindtest.Reply {
	if r.Header == nil {
		r.Header = map[string]string{}
	}
	r.Header[k] = v
	return r
}

func TestErrorClasses(t *testing.T) {
	for _, tc := range []struct {
		name       string
		reply      kindtest.Reply
		retryable  bool
		retryAfter time.Duration
		want       string
	}{
		{"402 card declined", reply(402, map[string]any{"error": map[string]any{"type": "card_error", "code": "card_declined", "decline_code": "insufficient_funds", "message": "Your card has insufficient funds."}}),
			false, 0, "HTTP 402 Payment Required: Your card has insufficient funds. (card_error/card_declined/insufficient_funds)"},
		{"401 bad key", stripeError(401, "invalid_request_error", "", "", "Invalid API Key provided: sk_test_****0000"), false, 0, "check the integration's api_key"},
		{"403 restricted key", stripeError(403, "invalid_request_error", "secret_key_required", "", "The provided key 'rk_test_***' does not have the required permissions for this endpoint."), false, 0, "restricted key lacks write permission"},
		{"400 bad param", stripeError(400, "invalid_request_error", "parameter_invalid_integer", "amount", "Invalid integer: abc"), false, 0, "(invalid_request_error/parameter_invalid_integer, param amount)"},
		{"429 rate limit, Retry-After past max_interval", withHeader(stripeError(429, "invalid_request_error", "rate_limit", "", "Too many requests"), "Retry-After", "3600"), true, 10 * time.Minute, "rate_limit"},
		{"503", kindtest.Reply{Status: 503, Body: "<html><title>503 Service Unavailable</title></html>"}, true, 0, "HTTP 503"},
		{"key echoed back", stripeError(401, "invalid_request_error", "", "", "Invalid API Key provided: "+apiKey), false, 0, "Invalid API Key provided: [redacted]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := kindtest.Serve(t, tc.reply)
			res, err := kindtest.Call(t, load(t, v, ""), "payments", "create_refund", map[string]any{"charge": "ch_1"}, apiKey)
			e := kindtest.Failure(t, err, tc.retryable)
			if e.RetryAfter != tc.retryAfter || !strings.Contains(e.Message, tc.want) || !strings.HasPrefix(e.Message, "payments.create_refund: ") {
				t.Errorf("%q (after %v), want %q (after %v)", e.Message, e.RetryAfter, tc.want, tc.retryAfter)
			}
			if res.Request.Headers["Authorization"] != "[redacted]" || res.Response == nil {
				t.Errorf("recorded %+v", res)
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	v := serve(t)
	s := load(t, v.Vendor, "")
	for _, tc := range []struct {
		op   string
		with map[string]any
		want string
	}{
		{"find_customer", map[string]any{"email": "nobody"}, "with.email must be an email address"},
		{"create_customer", map[string]any{"email": "a@b.example", "metadata": map[string]any{"a[b]": "x"}}, "must be at most 40 characters, without [ or ]"},
		{"create_customer", map[string]any{"emial": "a@b.example"}, "with.emial: unknown field"},
		{"update_customer", map[string]any{"customer_id": "cus_1"}, "give email, name, phone, description or metadata"},
		{"create_invoice", map[string]any{"customer": "cus_1", "collection_method": "send_invoice"}, "with.days_until_due is required with collection_method send_invoice"},
		{"create_invoice", map[string]any{"customer": "cus_1", "collection_method": "invoice"}, "with.collection_method must be one of charge_automatically, send_invoice"},
		{"create_invoice", map[string]any{"customer": "cus_1", "auto_advance": "yes"}, "with.auto_advance must be true or false"},
		{"add_invoice_item", map[string]any{"customer": "cus_1", "amount": "49.00", "currency": "usd"}, "smallest unit: 4900 for 49.00 USD"},
		{"add_invoice_item", map[string]any{"customer": "cus_1", "amount": 4900}, "with.currency is required with amount"},
		{"add_invoice_item", map[string]any{"customer": "cus_1", "amount": 4900, "currency": "usd", "price": "price_1"}, "give one"},
		{"add_invoice_item", map[string]any{"customer": "cus_1"}, "give amount (and currency) or price"},
		{"create_refund", map[string]any{"amount": 100}, "give payment_intent or charge"},
		{"create_refund", map[string]any{"charge": "ch_1", "payment_intent": "pi_1"}, "give payment_intent or charge"},
		{"create_refund", map[string]any{"charge": "ch_1", "amount": -5}, "with.amount must be positive"},
		{"create_refund", map[string]any{"charge": "ch_1", "reason": "changed_mind"}, "with.reason must be one of duplicate, fraudulent, requested_by_customer"},
		{"finalize_invoice", map[string]any{"invoice_id": ".."}, `with.invoice_id must be an id, not ".."`},
	} {
		_, err := call(t, s, tc.op, "k", tc.with)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %v: %v, want %q", tc.op, tc.with, err, tc.want)
		}
		if _, ok := err.(*integrations.Error); ok {
			t.Errorf("%s: bad input is an *integrations.Error", tc.op)
		}
	}
	if n := v.Count(); n != 0 {
		t.Errorf("bad input reached Stripe %d times", n)
	}
}
