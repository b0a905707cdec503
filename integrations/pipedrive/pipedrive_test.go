package pipedrive_test

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/integrations"
	"github.com/hookflow/hookflow/integrations/internal/kindtest"
)

const apiToken = "0123456789abcdefsecrettoken"

func load(t *testing.T, v *kindtest.Vendor) *integrations.Set {
	return kindtest.Load(t, "deals:\n  kind: pipedrive\n  base_url: "+v.URL+"\n  api_token: "+apiToken+"\n")
}

func TestConfig(t *testing.T) {
	_, err := kindtest.LoadErr(t, "deals:\n  kind: pipedrive\n")
	if err == nil || !strings.Contains(err.Error(), "hookflow.yaml:2:3: integrations.deals.api_token is required") {
		t.Errorf("error %v", err)
	}
	s := kindtest.Load(t, "deals:\n  kind: pipedrive\n  api_token: t0k3n\n")
	rec, err := s.Build(integrations.Call{Integration: "deals", Operation: "create_deal", Input: map[string]any{"title": "x"}})
	if err != nil || rec.URL != "https://api.pipedrive.com/v1/deals?api_token=[redacted]" {
		t.Errorf("URL %q, %v", rec.URL, err)
	}
}

func checkSent(t *testing.T, got kindtest.Got, path string) map[string]any {
	t.Helper()
	if got.Method != http.MethodPost || got.Path != path || got.Query != "api_token="+apiToken {
		t.Errorf("sent %s %s?%s", got.Method, got.Path, got.Query)
	}
	if got.Header.Get("Content-Type") != "application/json" {
		t.Errorf("Content-Type %q", got.Header.Get("Content-Type"))
	}
	return got.JSON(t)
}

func TestCreatePerson(t *testing.T) {
	v := kindtest.Serve(t, kindtest.Reply{Status: 201, Body: `{"success": true, "data": {"id": 1042, "company_id": 77, "name": "Ada Lovelace",
  "email": [{"label": "work", "value": "ada@example.com", "primary": true}], "phone": [{"label": "work", "value": "+441234", "primary": true}],
  "add_time": "2025-07-01 10:00:00", "visible_to": "3"}, "related_objects": {}}`})
	res, err := kindtest.Call(t, load(t, v), "deals", "create_person", map[string]any{
		"name": "Ada Lovelace", "email": "ada@example.com", "phone": []any{"+441234"}, "org_id": float64(17),
		"fields": map[string]any{"9dc80c50d78a15643bfc4ca79d76156a73a1ca0e": "gold", "name": "ignored"},
	}, apiToken)
	if err != nil {
		t.Fatal(err)
	}
	body := checkSent(t, v.Last(t), "/v1/persons")
	want := map[string]any{
		"name":   "Ada Lovelace",
		"email":  []any{map[string]any{"value": "ada@example.com", "primary": true, "label": "work"}},
		"phone":  []any{map[string]any{"value": "+441234", "primary": true, "label": "work"}},
		"org_id": float64(17),
		"9dc80c50d78a15643bfc4ca79d76156a73a1ca0e": "gold",
	}
	if !reflect.DeepEqual(body, want) {
		t.Errorf("body %v\nwant %v", body, want)
	}
	if want := map[string]any{"id": int64(1042), "name": "Ada Lovelace"}; !reflect.DeepEqual(res.Output, want) {
		t.Errorf("output %v", res.Output)
	}
	if strings.Contains(res.Request.URL, apiToken) || !strings.Contains(res.Request.URL, "api_token=[redacted]") {
		t.Errorf("recorded URL %q", res.Request.URL)
	}
}

func TestCreateDeal(t *testing.T) {
	v := kindtest.Serve(t, kindtest.Reply{Status: 201, Body: `{"success": true, "data": {"id": 501, "title": "Order #1001", "value": 1250.5, "currency": "EUR", "status": "won", "person_id": {"value": 1042, "name": "Ada Lovelace"}}}`})
	res, err := kindtest.Call(t, load(t, v), "deals", "create_deal", map[string]any{
		"title": "Order #1001", "value": 1250.5, "currency": "EUR", "person_id": int64(1042), "status": "won",
	}, apiToken)
	if err != nil {
		t.Fatal(err)
	}
	body := checkSent(t, v.Last(t), "/v1/deals")
	want := map[string]any{"title": "Order #1001", "value": "1250.5", "currency": "EUR", "person_id": float64(1042), "status": "won"}
	if !reflect.DeepEqual(body, want) {
		t.Errorf("body %v\nwant %v", body, want)
	}
	if want := map[string]any{"id": int64(501), "title": "Order #1001", "status": "won"}; !reflect.DeepEqual(res.Output, want) {
		t.Errorf("output %v", res.Output)
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
		{"bad token", kindtest.Reply{Status: 401, Body: `{"success": false, "error": "unauthorized access", "errorCode": 401, "error_info": "Please check developers.pipedrive.com for more information about Pipedrive API."}`},
			false, 0, "HTTP 401 Unauthorized: unauthorized access (check the integration's api_token)"},
		{"validation", kindtest.Reply{Status: 400, Body: `{"success": false, "error": "Title is required", "error_info": "Please check developers.pipedrive.com for more information about Pipedrive API.", "data": null, "additional_data": null}`},
			false, 0, "HTTP 400 Bad Request: Title is required"},
		{"unknown person", kindtest.Reply{Status: 404, Body: `{"success": false, "error": "Person not found", "errorCode": 404}`}, false, 0, "Person not found"},
		{"rate limited", kindtest.Reply{Status: 429, Header: map[string]string{"X-RateLimit-Reset": "2"}, Body: `{"success": false, "error": "Request over limit", "errorCode": 429}`},
			true, 2 * time.Second, "Request over limit"},
		{"success false in 2xx", kindtest.Reply{Status: 200, Body: `{"success": false, "error": "Deal could not be added"}`}, false, 0, "Pipedrive: Deal could not be added"},
		{"token echoed", kindtest.Reply{Status: 500, Body: `{"success": false, "error": "failure for api_token=` + apiToken + `"}`}, true, 0, "api_token=[redacted]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := kindtest.Serve(t, tc.reply)
			_, err := kindtest.Call(t, load(t, v), "deals", "create_deal", map[string]any{"title": "x"}, apiToken)
			e := kindtest.Failure(t, err, tc.retryable)
			if e.RetryAfter != tc.retryAfter || !strings.Contains(e.Message, tc.want) {
				t.Errorf("RetryAfter %v, message %q; want %v, %q", e.RetryAfter, e.Message, tc.retryAfter, tc.want)
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
		{"create_deal", map[string]any{"title": "x", "status": "closed"}, "with.status must be open, won or lost"},
		{"create_deal", map[string]any{"title": "x", "person_id": "abc"}, "with.person_id must be a whole number, got a string"},
		{"create_person", map[string]any{"name": "x", "email": map[string]any{}}, "with.email must be a list of strings or a comma-separated string"},
	} {
		_, err := kindtest.Call(t, s, "deals", tc.op, tc.input, apiToken)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.op, err, tc.want)
		}
	}
	if v.Count() != 0 {
		t.Error("bad input reached Pipedrive")
	}
}
