package salesforce_test

import (
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/integrations"
	"github.com/hookflow/hookflow/integrations/internal/kindtest"
)

const token = "00DE0X0A0M0PeLE!AQcAQH0dMHEXAMPLEsecret"

func load(t *testing.T, v *kindtest.Vendor) *integrations.Set {
	return kindtest.Load(t, "sf:\n  kind: salesforce\n  instance_url: "+v.URL+"\n  token: \""+token+"\"\n")
}

func TestConfig(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"no instance", "sf:\n  kind: salesforce\n  token: x\n", "integrations.sf.instance_url is required: the org's URL"},
		{"http", "sf:\n  kind: salesforce\n  instance_url: http://acme.my.salesforce.com\n  token: x\n", "hookflow.yaml:3:17: integrations.sf.instance_url must be an https URL"},
		{"version", "sf:\n  kind: salesforce\n  instance_url: https://acme.my.salesforce.com\n  token: x\n  api_version: \"60\"\n", "api_version must be a REST API version such as v60.0"},
		{"no token", "sf:\n  kind: salesforce\n  instance_url: https://acme.my.salesforce.com\n", "integrations.sf.token is required"},
	} {
		_, err := kindtest.LoadErr(t, tc.doc)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
	s := kindtest.Load(t, "sf:\n  kind: salesforce\n  instance_url: https://acme.my.salesforce.com\n  token: x\n")
	if got, _ := s.Check("sf", "upsert_record"); !slices.Equal(got, []string{"object", "external_id_field", "external_id", "fields"}) {
		t.Errorf("Check(upsert_record) = %v", got)
	}
}

func checkSent(t *testing.T, got kindtest.Got, method, path string) map[string]any {
	t.Helper()
	if got.Method != method || got.Path != path {
		t.Errorf("sent %s %s, want %s %s", got.Method, got.Path, method, path)
	}
	if got.Header.Get("Authorization") != "Bearer "+token || got.Header.Get("Content-Type") != "application/json" {
		t.Errorf("headers %v", got.Header)
	}
	return got.JSON(t)
}

func TestCreateRecord(t *testing.T) {
	v := kindtest.Serve(t, kindtest.Reply{Status: 201, Body: `{"id": "001D000000IqhSLIAZ", "errors": [], "success": true}`})
	res, err := kindtest.Call(t, load(t, v), "sf", "create_record", map[string]any{
		"object": "Lead", "fields": map[string]any{"LastName": "Lovelace", "Company": "Acme", "AnnualRevenue": 1250.5},
	}, token)
	if err != nil {
		t.Fatal(err)
	}
	body := checkSent(t, v.Last(t), http.MethodPost, "/services/data/v60.0/sobjects/Lead/")
	if want := map[string]any{"LastName": "Lovelace", "Company": "Acme", "AnnualRevenue": 1250.5}; !reflect.DeepEqual(body, want) {
		t.Errorf("body %v", body)
	}
	if want := map[string]any{"id": "001D000000IqhSLIAZ", "success": true, "created": true}; !reflect.DeepEqual(res.Output, want) {
		t.Errorf("output %v", res.Output)
	}
}

func TestUpsertRecord(t *testing.T) {
	for _, tc := range []struct {
		name    string
		reply   kindtest.Reply
		created bool
	}{
		{"created", kindtest.Reply{Status: 201, Body: `{"id": "00190000001pPvHAAU", "errors": [], "success": true, "created": true}`}, true},
		{"updated", kindtest.Reply{Status: 200, Body: `{"id": "00190000001pPvHAAU", "errors": [], "success": true, "created": false}`}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := kindtest.Serve(t, tc.reply)
			res, err := kindtest.Call(t, load(t, v), "sf", "upsert_record", map[string]any{
				"object": "Account", "external_id_field": "Shop_Customer_Id__c", "external_id": "cust/42 x", "fields": map[string]any{"Name": "Acme"},
			}, token)
			if err != nil {
				t.Fatal(err)
			}
			body := checkSent(t, v.Last(t), http.MethodPatch, "/services/data/v60.0/sobjects/Account/Shop_Customer_Id__c/cust%2F42%20x")
			if !reflect.DeepEqual(body, map[string]any{"Name": "Acme"}) {
				t.Errorf("body %v", body)
			}
			if want := map[string]any{"id": "00190000001pPvHAAU", "success": true, "created": tc.created}; !reflect.DeepEqual(res.Output, want) {
				t.Errorf("output %v", res.Output)
			}
		})
	}
}

func TestFailures(t *testing.T) {
	for _, tc := range []struct {
		name      string
		reply     kindtest.Reply
		retryable bool
		want      string
	}{
		{"invalid field", kindtest.Reply{Status: 400, Body: `[{"message": "No such column 'Colour__c' on sobject of type Account", "errorCode": "INVALID_FIELD"}]`},
			false, "HTTP 400 Bad Request: INVALID_FIELD: No such column 'Colour__c' on sobject of type Account"},
		{"required field", kindtest.Reply{Status: 400, Body: `[{"message": "Required fields are missing: [Name]", "errorCode": "REQUIRED_FIELD_MISSING", "fields": ["Name"]}]`},
			false, "REQUIRED_FIELD_MISSING: Required fields are missing: [Name] (fields: Name)"},
		{"expired session", kindtest.Reply{Status: 401, Body: `[{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]`},
			false, "INVALID_SESSION_ID: Session expired or invalid (check the integration's token"},
		{"not found", kindtest.Reply{Status: 404, Body: `[{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}]`},
			false, "HTTP 404 Not Found: NOT_FOUND: The requested resource does not exist"},
		{"several matches", kindtest.Reply{Status: 300, Body: `["/services/data/v60.0/sobjects/Account/001D000000Kv3g5IAB", "/services/data/v60.0/sobjects/Account/001D000000Kv3g6IAB"]`},
			false, "the external ID matches more than one record"},
		{"row lock", kindtest.Reply{Status: 400, Body: `[{"message": "unable to obtain exclusive access to this record", "errorCode": "UNABLE_TO_LOCK_ROW"}]`},
			true, "UNABLE_TO_LOCK_ROW"},
		{"api limit", kindtest.Reply{Status: 403, Body: `[{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}]`},
			true, "REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded."},
		{"save failed in 2xx", kindtest.Reply{Status: 200, Body: `{"id": "", "success": false, "errors": [{"statusCode": "DUPLICATES_DETECTED", "message": "Use one of these records?"}]}`},
			false, "DUPLICATES_DETECTED: Use one of these records?"},
		{"down", kindtest.Reply{Status: 503, Body: `[{"message": "Server unavailable", "errorCode": "SERVER_UNAVAILABLE"}]`}, true, "HTTP 503"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := kindtest.Serve(t, tc.reply)
			_, err := kindtest.Call(t, load(t, v), "sf", "upsert_record", map[string]any{
				"object": "Account", "external_id_field": "Ext__c", "external_id": 42, "fields": map[string]any{"Name": "A"},
			}, token)
			e := kindtest.Failure(t, err, tc.retryable)
			if !strings.Contains(e.Message, tc.want) {
				t.Errorf("message %q, want %q", e.Message, tc.want)
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	v := kindtest.Serve(t, kindtest.Reply{Status: 201})
	s := load(t, v)
	for _, tc := range []struct {
		op    string
		input map[string]any
		want  string
	}{
		{"create_record", map[string]any{"object": "../query", "fields": map[string]any{"A": 1}}, "with.object must be an API name"},
		{"create_record", map[string]any{"object": "Lead", "fields": map[string]any{}}, "with.fields must set at least one field"},
		{"create_record", map[string]any{"object": "Lead", "fields": map[string]any{"Last Name": "x"}}, "with.fields.Last Name is not a field API name"},
		{"upsert_record", map[string]any{"object": "Account", "external_id_field": "Ext__c", "external_id": "", "fields": map[string]any{"A": 1}}, "with.external_id must not be empty"},
	} {
		_, err := kindtest.Call(t, s, "sf", tc.op, tc.input, token)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.op, err, tc.want)
		}
	}
	if v.Count() != 0 {
		t.Error("bad input reached Salesforce")
	}
}

// An instance_url with a path (a proxy, the dev inspector) keeps it.
func TestInstanceURLPathIsKept(t *testing.T) {
	v := kindtest.Serve(t, kindtest.Reply{Status: 201, Body: `{"id": "001", "errors": [], "success": true}`})
	s := kindtest.Load(t, "sf:\n  kind: salesforce\n  instance_url: "+v.URL+"/inspect/salesforce\n  token: \""+token+"\"\n")
	if _, err := kindtest.Call(t, s, "sf", "create_record", map[string]any{"object": "Lead", "fields": map[string]any{"LastName": "L"}}, token); err != nil {
		t.Fatal(err)
	}
	checkSent(t, v.Last(t), http.MethodPost, "/inspect/salesforce/services/data/v60.0/sobjects/Lead/")
}

// sobjects stands in for the REST API's sObject rows as documented
// (dome_get_field_values and dome_update_fields, API v60.0, checked
// 2026-11-29): GET by external ID answers the record or 404 NOT_FOUND;
// PATCH by id answers 204.
func sobjects(t *testing.T) *kindtest.Vendor {
	return kindtest.ServeFunc(t, func(g kindtest.Got) kindtest.Reply {
		if g.Header.Get("Authorization") != "Bearer "+token {
			return kindtest.Reply{Status: 401, Body: `[{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]`}
		}
		notFound := kindtest.Reply{Status: 404, Body: `[{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}]`}
		switch {
		case g.Method == http.MethodGet && g.Path == "/services/data/v60.0/sobjects/Account/Shop_Customer_Id__c/cust-42":
			return kindtest.Reply{Status: 200, Body: `{"attributes": {"type": "Account", "url": "/services/data/v60.0/sobjects/Account/001xx000003DGb2AAG"}, "Id": "001xx000003DGb2AAG", "Name": "Acme"}`}
		case g.Method == http.MethodPatch && g.Path == "/services/data/v60.0/sobjects/Opportunity/006xx000001a2b3AAA":
			return kindtest.Reply{Status: 204}
		}
		return notFound
	})
}

// Issue 13, read and update: find by external id (output.found,
// output.id), update by id; every id stays one path segment.
func TestFindAndUpdateRecord(t *testing.T) {
	v := sobjects(t)
	s := load(t, v)
	find := func(ext any) map[string]any {
		t.Helper()
		res, err := kindtest.Call(t, s, "sf", "find_record", map[string]any{"object": "Account", "external_id_field": "Shop_Customer_Id__c", "external_id": ext}, token)
		if err != nil {
			t.Fatalf("find %v: %v", ext, err)
		}
		return res.Output.(map[string]any)
	}
	if out := find("cust-42"); out["found"] != true || out["id"] != "001xx000003DGb2AAG" || out["record"].(map[string]any)["Name"] != "Acme" {
		t.Errorf("found %v", out)
	}
	if out := find("cust-43"); out["found"] != false || out["id"] != nil {
		t.Errorf("missing %v", out)
	}
	for ext, path := range map[string]string{
		"a/b":              "/services/data/v60.0/sobjects/Account/Shop_Customer_Id__c/a%2Fb",
		"42?fields=Secret": "/services/data/v60.0/sobjects/Account/Shop_Customer_Id__c/42%3Ffields=Secret",
		"42#x":             "/services/data/v60.0/sobjects/Account/Shop_Customer_Id__c/42%23x",
		"42;jsessionid=1":  "/services/data/v60.0/sobjects/Account/Shop_Customer_Id__c/42%3Bjsessionid=1",
		"%2e%2e%2f42":      "/services/data/v60.0/sobjects/Account/Shop_Customer_Id__c/%252e%252e%252f42",
	} {
		if out := find(ext); out["found"] != false || v.Last(t).Path != path || v.Last(t).Query != "" {
			t.Errorf("%q: sent %s?%s, output %v", ext, v.Last(t).Path, v.Last(t).Query, out)
		}
	}
	res, err := kindtest.Call(t, s, "sf", "update_record", map[string]any{"object": "Opportunity", "id": "006xx000001a2b3AAA", "fields": map[string]any{"StageName": "Closed Won"}}, token)
	if err != nil || res.Output.(map[string]any)["success"] != true {
		t.Fatalf("update: %v %v", res.Output, err)
	}
	if got := v.Last(t); got.Method != http.MethodPatch || string(got.Body) != `{"StageName":"Closed Won"}` {
		t.Errorf("sent %s %s", got.Method, got.Body)
	}
	if _, err := kindtest.Call(t, s, "sf", "update_record", map[string]any{"object": "Opportunity", "id": "..", "fields": map[string]any{"A": 1}}, token); err == nil || !strings.Contains(err.Error(), `with.id must be an id, not ".."`) {
		t.Errorf("dot id: %v", err)
	}
	n := v.Count()
	if _, err := kindtest.Call(t, s, "sf", "find_record", map[string]any{"object": "Account", "external_id_field": "Ext__c", "external_id": "../../../limits"}, token); err == nil || !strings.Contains(err.Error(), `with.external_id: a URL path segment cannot be or contain the dot segment ".."`) || v.Count() != n {
		t.Errorf("climbing external id: %v", err)
	}
}
