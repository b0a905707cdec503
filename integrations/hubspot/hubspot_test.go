package hubspot_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/integrations"
	"github.com/hookflow/hookflow/integrations/internal/kindtest"
)

const token = "pat-eu1-00000000-secret-token"

func load(t *testing.T, v *kindtest.Vendor) *integrations.Set {
	return kindtest.Load(t, `
crm:
  kind: hubspot
  base_url: `+v.URL+`
  token: `+token+`
`)
}

func TestConfig(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"token missing", "crm:\n  kind: hubspot\n", "hookflow.yaml:2:3: integrations.crm.token is required"},
		{"base_url not a URL", "crm:\n  kind: hubspot\n  token: x\n  base_url: api.hubapi.com\n", "hookflow.yaml:4:13: integrations.crm.base_url must be an absolute http or https URL"},
		{"base_url with query", "crm:\n  kind: hubspot\n  token: x\n  base_url: https://p.example/?a=1\n", "base_url must not have a query"},
		{"unknown field", "crm:\n  kind: hubspot\n  token: x\n  api_key: y\n", `hookflow.yaml:4:3: integrations.crm: unknown field "api_key"`},
		{"token with newline", "crm:\n  kind: hubspot\n  token: \"abc\\n\"\n", "token must not contain control characters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := kindtest.LoadErr(t, tc.doc)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
	t.Run("default base URL", func(t *testing.T) {
		s := kindtest.Load(t, "crm:\n  kind: hubspot\n  token: x\n")
		rec, err := s.Build(integrations.Call{Integration: "crm", Operation: "upsert_contact", Input: map[string]any{"email": "a@b.example"}})
		if err != nil {
			t.Fatal(err)
		}
		if rec.URL != "https://api.hubapi.com/crm/v3/objects/contacts/batch/upsert" {
			t.Errorf("URL %s", rec.URL)
		}
	})
}

func TestRequired(t *testing.T) {
	s := kindtest.Load(t, "crm:\n  kind: hubspot\n  token: x\n")
	for op, want := range map[string][]string{
		"upsert_contact": {"email"},
		"create_deal":    {"name"},
		"add_note":       {"contact_id", "body"},
		"find_contact":   {"value"},
		"find_deal":      {"value"},
		"update_deal":    {"deal_id"},
	} {
		got, err := s.Check("crm", op)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("Check(crm, %s) = %v, %v; want %v", op, got, err, want)
		}
	}
}

// checkSent verifies what every HubSpot call sends.
func checkSent(t *testing.T, got kindtest.Got, path string) map[string]any {
	t.Helper()
	if got.Method != http.MethodPost || got.Path != path {
		t.Errorf("sent %s %s, want POST %s", got.Method, got.Path, path)
	}
	if h := got.Header.Get("Authorization"); h != "Bearer "+token {
		t.Errorf("Authorization %q", h)
	}
	if ct := got.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	return got.JSON(t)
}

func TestUpsertContact(t *testing.T) {
	v := kindtest.Serve(t, kindtest.Reply{Status: 200, Body: `{
  "status": "COMPLETE",
  "results": [{"id": "512", "new": true, "archived": false,
    "properties": {"email": "ada@example.com", "firstname": "Ada", "createdate": "2025-07-01T10:00:00Z"},
    "createdAt": "2025-07-01T10:00:00Z", "updatedAt": "2025-07-01T10:00:00Z"}],
  "startedAt": "2025-07-01T10:00:00Z", "completedAt": "2025-07-01T10:00:00Z"}`})
	s := load(t, v)
	res, err := kindtest.Call(t, s, "crm", "upsert_contact", map[string]any{
		"email":      " ada@example.com ",
		"properties": map[string]any{"firstname": "Ada", "lifetime_value": 512.5, "vip": true},
	}, token)
	if err != nil {
		t.Fatal(err)
	}
	body := checkSent(t, v.Last(t), "/crm/v3/objects/contacts/batch/upsert")
	want := map[string]any{"inputs": []any{map[string]any{
		"id": "ada@example.com", "idProperty": "email",
		"properties": map[string]any{"email": "ada@example.com", "firstname": "Ada", "lifetime_value": "512.5", "vip": "true"},
	}}}
	if !reflect.DeepEqual(body, want) {
		t.Errorf("body %v\nwant %v", body, want)
	}
	out := res.Output.(map[string]any)
	if out["id"] != "512" || out["created"] != true || out["properties"].(map[string]any)["firstname"] != "Ada" {
		t.Errorf("output %v", out)
	}
	if res.Request.Headers["Authorization"] != "[redacted]" {
		t.Errorf("recorded Authorization %q", res.Request.Headers["Authorization"])
	}
	if got := res.Request.Headers["Idempotency-Key"]; got != "shop-orders/evt-1/upsert_contact" {
		t.Errorf("Idempotency-Key %q", got)
	}
}

func TestUpsertContactMultiStatus(t *testing.T) {
	v := kindtest.Serve(t, kindtest.Reply{Status: 207, Body: `{
  "status": "COMPLETE", "results": [], "numErrors": 1,
  "errors": [{"status": "error", "category": "VALIDATION_ERROR", "message": "Property values were not valid: email",
    "context": {}, "errors": []}]}`})
	_, err := kindtest.Call(t, load(t, v), "crm", "upsert_contact", map[string]any{"email": "ada@example.com"}, token)
	e := kindtest.Failure(t, err, false)
	if !strings.Contains(e.Message, "VALIDATION_ERROR: Property values were not valid") {
		t.Errorf("message %q", e.Message)
	}
}

func TestCreateDeal(t *testing.T) {
	v := kindtest.Serve(t, kindtest.Reply{Status: 201, Body: `{"id": "9001",
  "properties": {"dealname": "Order #1001", "amount": "1250", "dealstage": "closedwon", "pipeline": "default"},
  "createdAt": "2025-07-01T10:00:00Z", "updatedAt": "2025-07-01T10:00:00Z", "archived": false}`})
	res, err := kindtest.Call(t, load(t, v), "crm", "create_deal", map[string]any{
		"name": "Order #1001", "contact_id": float64(512), "amount": 1250, "stage": "closedwon", "pipeline": "default",
		"properties": map[string]any{"closedate": "2025-07-01T10:00:00Z"},
	}, token)
	if err != nil {
		t.Fatal(err)
	}
	body := checkSent(t, v.Last(t), "/crm/v3/objects/deals")
	want := map[string]any{
		"properties": map[string]any{"dealname": "Order #1001", "amount": "1250", "dealstage": "closedwon", "pipeline": "default", "closedate": "2025-07-01T10:00:00Z"},
		"associations": []any{map[string]any{
			"to":    map[string]any{"id": "512"},
			"types": []any{map[string]any{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": float64(3)}},
		}},
	}
	if !reflect.DeepEqual(body, want) {
		t.Errorf("body %v\nwant %v", body, want)
	}
	if out := res.Output.(map[string]any); out["id"] != "9001" {
		t.Errorf("output %v", out)
	}
}

func TestCreateDealWithoutContact(t *testing.T) {
	v := kindtest.Serve(t, kindtest.Reply{Status: 201, Body: `{"id": "9002", "properties": {"dealname": "X"}}`})
	if _, err := kindtest.Call(t, load(t, v), "crm", "create_deal", map[string]any{"name": "X"}, token); err != nil {
		t.Fatal(err)
	}
	if _, ok := v.Last(t).JSON(t)["associations"]; ok {
		t.Error("associations sent without contact_id")
	}
}

func TestAddNote(t *testing.T) {
	v := kindtest.Serve(t, kindtest.Reply{Status: 201, Body: `{"id": "77",
  "properties": {"hs_note_body": "Paid order #1001", "hs_timestamp": "2025-07-01T10:00:00Z"},
  "createdAt": "2025-07-01T10:00:01Z", "updatedAt": "2025-07-01T10:00:01Z"}`})
	res, err := kindtest.Call(t, load(t, v), "crm", "add_note", map[string]any{
		"contact_id": "512", "body": "Paid order #1001", "timestamp": "2025-07-01T10:00:00Z", "owner_id": 42,
	}, token)
	if err != nil {
		t.Fatal(err)
	}
	body := checkSent(t, v.Last(t), "/crm/v3/objects/notes")
	want := map[string]any{
		"properties": map[string]any{"hs_note_body": "Paid order #1001", "hs_timestamp": "2025-07-01T10:00:00Z", "hubspot_owner_id": "42"},
		"associations": []any{map[string]any{
			"to":    map[string]any{"id": "512"},
			"types": []any{map[string]any{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": float64(202)}},
		}},
	}
	if !reflect.DeepEqual(body, want) {
		t.Errorf("body %v\nwant %v", body, want)
	}
	if out := res.Output.(map[string]any); out["id"] != "77" {
		t.Errorf("output %v", out)
	}
}

func TestAddNoteDefaultTimestamp(t *testing.T) {
	v := kindtest.Serve(t, kindtest.Reply{Status: 201, Body: `{"id": "78"}`})
	before := time.Now().UTC().Add(-time.Second)
	if _, err := kindtest.Call(t, load(t, v), "crm", "add_note", map[string]any{"contact_id": "512", "body": "hi"}, token); err != nil {
		t.Fatal(err)
	}
	ts := v.Last(t).JSON(t)["properties"].(map[string]any)["hs_timestamp"].(string)
	got, err := time.Parse(time.RFC3339, ts)
	if err != nil || got.Before(before) {
		t.Errorf("hs_timestamp %q (%v), want now", ts, err)
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
		{"upsert_contact", map[string]any{"email": 42}, "with.email must be a string, got a number"},
		{"upsert_contact", map[string]any{"email": "not-an-address"}, "with.email must be an email address"},
		{"upsert_contact", map[string]any{"email": "a@b.example", "propertys": map[string]any{}}, "with.propertys: unknown field (takes: email, properties)"},
		{"upsert_contact", map[string]any{"email": "a@b.example", "properties": map[string]any{"tags": []any{"a"}}}, "with.properties.tags must be a string, number or boolean, got a list"},
		{"upsert_contact", map[string]any{}, "with.email is required by crm.upsert_contact"},
		{"create_deal", map[string]any{"name": "x", "contact_id": map[string]any{}}, "with.contact_id must be an id (a string or a whole number), got a mapping"},
		{"add_note", map[string]any{"contact_id": "", "body": "x"}, "with.contact_id must not be empty"},
	} {
		_, err := kindtest.Call(t, s, "crm", tc.op, tc.input, token)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %v: error %v, want %q", tc.op, tc.input, err, tc.want)
		}
		var ie *integrations.Error
		if errors.As(err, &ie) {
			t.Errorf("%s: bad input is an *integrations.Error (%v); it must be a plain, permanent error", tc.op, err)
		}
	}
	if n := v.Count(); n != 0 {
		t.Errorf("bad input reached the vendor %d times", n)
	}
}

func TestErrorClasses(t *testing.T) {
	for _, tc := range []struct {
		name       string
		reply      kindtest.Reply
		retryable  bool
		retryAfter time.Duration
		want       string
	}{
		{"401 bad token", kindtest.Reply{Status: 401, Body: `{"status":"error","message":"Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview","correlationId":"c0ffee","category":"INVALID_AUTHENTICATION"}`},
			false, 0, "HTTP 401 Unauthorized: Authentication credentials not found"},
		{"403 missing scope", kindtest.Reply{Status: 403, Body: `{"status":"error","message":"This app hasn't been granted all required scopes to make this call.","correlationId":"c0ffee","category":"MISSING_SCOPES"}`},
			false, 0, "this call needs crm.objects.contacts.write"},
		{"400 validation", kindtest.Reply{Status: 400, Body: `{"status":"error","message":"Property values were not valid: [{\"isValid\":false,\"message\":\"Property \\\"lifetime_value\\\" does not exist\",\"error\":\"PROPERTY_DOESNT_EXIST\",\"name\":\"lifetime_value\"}]","correlationId":"c0ffee","category":"VALIDATION_ERROR"}`},
			false, 0, "HTTP 400 Bad Request: Property values were not valid"},
		{"404", kindtest.Reply{Status: 404, Body: `{"status":"error","message":"Unable to infer object type from: contactz","correlationId":"c0ffee","category":"OBJECT_NOT_FOUND"}`},
			false, 0, "HTTP 404 Not Found: Unable to infer object type"},
		{"429 ten-secondly", kindtest.Reply{Status: 429, Header: map[string]string{"X-HubSpot-RateLimit-Interval-Milliseconds": "10000"},
			Body: `{"status":"error","message":"You have reached your ten_secondly_rolling limit.","errorType":"RATE_LIMIT","correlationId":"c0ffee","policyName":"TEN_SECONDLY_ROLLING"}`},
			true, 10 * time.Second, "ten_secondly_rolling limit"},
		{"429 daily", kindtest.Reply{Status: 429, Body: `{"status":"error","message":"You have reached your daily limit.","errorType":"RATE_LIMIT","policyName":"DAILY"}`},
			true, 0, "daily API limit reached"},
		{"502 with Retry-After", kindtest.Reply{Status: 502, Header: map[string]string{"Retry-After": "7"}, Body: "<html><title>502 Bad Gateway</title></html>"},
			true, 7 * time.Second, "HTTP 502 Bad Gateway"},
		{"token echoed back", kindtest.Reply{Status: 401, Body: `{"status":"error","message":"token ` + token + ` is expired"}`},
			false, 0, "token [redacted] is expired"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := kindtest.Serve(t, tc.reply)
			res, err := kindtest.Call(t, load(t, v), "crm", "upsert_contact", map[string]any{"email": "ada@example.com"}, token)
			e := kindtest.Failure(t, err, tc.retryable)
			if e.RetryAfter != tc.retryAfter {
				t.Errorf("RetryAfter %v, want %v", e.RetryAfter, tc.retryAfter)
			}
			if e.Status != tc.reply.Status {
				t.Errorf("Status %d", e.Status)
			}
			if !strings.Contains(e.Message, tc.want) || !strings.HasPrefix(e.Message, "crm.upsert_contact: ") {
				t.Errorf("message %q, want it to contain %q", e.Message, tc.want)
			}
			if tc.reply.Status == 401 && !strings.Contains(e.Message, "check the integration's token") {
				t.Errorf("401 message does not point at the token: %q", e.Message)
			}
			if res.Response == nil || res.Response.Status != tc.reply.Status {
				t.Errorf("response not recorded: %+v", res.Response)
			}
		})
	}
}

// crmAPI stands in for the CRM v3 search and update endpoints as
// documented (developers.hubspot.com/docs/api/crm/search and the objects
// API, checked 2026-11-29): search takes filterGroups of
// {propertyName, operator, value}; PATCH updates the properties given.
func crmAPI(t *testing.T) *kindtest.Vendor {
	records := map[string]map[string]map[string]any{
		"contacts": {"512": {"email": "ada@example.com", "firstname": "Ada"}},
		"deals":    {"9001": {"dealname": "Order #1001", "dealstage": "appointmentscheduled"}},
	}
	return kindtest.ServeFunc(t, func(g kindtest.Got) kindtest.Reply {
		if g.Header.Get("Authorization") != "Bearer "+token {
			return kindtest.Reply{Status: 401, Body: `{"status":"error","message":"Authentication credentials not found.","category":"INVALID_AUTHENTICATION"}`}
		}
		parts := strings.Split(strings.TrimPrefix(g.Path, "/crm/v3/objects/"), "/")
		var body map[string]any
		_ = json.Unmarshal(g.Body, &body)
		switch {
		case g.Method == http.MethodPost && len(parts) == 2 && parts[1] == "search":
			f := body["filterGroups"].([]any)[0].(map[string]any)["filters"].([]any)[0].(map[string]any)
			if f["operator"] != "EQ" {
				return kindtest.Reply{Status: 400, Body: `{"status":"error","message":"unsupported operator","category":"VALIDATION_ERROR"}`}
			}
			results := []any{}
			for id, props := range records[parts[0]] {
				if props[f["propertyName"].(string)] == f["value"] {
					results = append(results, map[string]any{"id": id, "properties": props, "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:00Z"})
				}
			}
			b, _ := json.Marshal(map[string]any{"total": len(results), "results": results})
			return kindtest.Reply{Status: 200, Body: string(b)}
		case g.Method == http.MethodPatch && len(parts) == 2:
			rec, ok := records[parts[0]][parts[1]]
			if !ok {
				return kindtest.Reply{Status: 404, Body: `{"status":"error","message":"resource not found","category":"OBJECT_NOT_FOUND"}`}
			}
			for k, v := range body["properties"].(map[string]any) {
				rec[k] = v
			}
			b, _ := json.Marshal(map[string]any{"id": parts[1], "properties": rec, "updatedAt": "2026-11-29T00:00:00Z"})
			return kindtest.Reply{Status: 200, Body: string(b)}
		}
		return kindtest.Reply{Status: 404, Body: `{"status":"error","message":"Unable to infer object type","category":"OBJECT_NOT_FOUND"}`}
	})
}

// Issue 13, read and update: find a contact or deal by a property's value
// (output.found, output.id), and move a deal to another stage.
func TestFindAndUpdate(t *testing.T) {
	v := crmAPI(t)
	s := load(t, v)
	res, err := kindtest.Call(t, s, "crm", "find_contact", map[string]any{"value": "ada@example.com", "properties": []any{"firstname"}}, token)
	if err != nil {
		t.Fatal(err)
	}
	if out := res.Output.(map[string]any); out["found"] != true || out["id"] != "512" || out["properties"].(map[string]any)["firstname"] != "Ada" {
		t.Errorf("find_contact %v", out)
	}
	body := v.Last(t).JSON(t)
	if v.Last(t).Path != "/crm/v3/objects/contacts/search" || !reflect.DeepEqual(body["properties"], []any{"firstname", "email"}) || body["limit"] != float64(1) {
		t.Errorf("search %s %v", v.Last(t).Path, body)
	}
	res, err = kindtest.Call(t, s, "crm", "find_deal", map[string]any{"value": "Order #404"}, token)
	if out := res.Output.(map[string]any); err != nil || out["found"] != false || out["id"] != nil {
		t.Errorf("find_deal none: %v, %v", out, err)
	}
	res, err = kindtest.Call(t, s, "crm", "update_deal", map[string]any{"deal_id": 9001, "stage": "closedwon"}, token)
	if err != nil {
		t.Fatal(err)
	}
	if got := v.Last(t); got.Method != http.MethodPatch || got.Path != "/crm/v3/objects/deals/9001" ||
		!reflect.DeepEqual(got.JSON(t), map[string]any{"properties": map[string]any{"dealstage": "closedwon"}}) {
		t.Errorf("sent %s %s %s", got.Method, got.Path, got.Body)
	}
	if out := res.Output.(map[string]any); out["id"] != "9001" || out["properties"].(map[string]any)["dealstage"] != "closedwon" {
		t.Errorf("update_deal %v", out)
	}
	// A deal id from a payload stays one path segment, and one that would
	// climb is refused before anything is sent.
	_, err = kindtest.Call(t, s, "crm", "update_deal", map[string]any{"deal_id": "9001?archived=true#x", "stage": "x"}, token)
	if got := v.Last(t); got.Path != "/crm/v3/objects/deals/9001%3Farchived=true%23x" || got.Query != "" || err == nil {
		t.Errorf("hostile id sent to %s?%s (%v)", got.Path, got.Query, err)
	}
	n := v.Count()
	if _, err = kindtest.Call(t, s, "crm", "update_deal", map[string]any{"deal_id": "../contacts/512", "stage": "x"}, token); err == nil || !strings.Contains(err.Error(), `with.deal_id: a URL path segment cannot be or contain the dot segment ".."`) || v.Count() != n {
		t.Errorf("climbing id: %v", err)
	}
	if _, err := kindtest.Call(t, s, "crm", "update_deal", map[string]any{"deal_id": 9001}, token); err == nil || !strings.Contains(err.Error(), "give stage, amount") {
		t.Errorf("nothing to update: %v", err)
	}
}
