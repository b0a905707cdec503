package pipedrive_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookflow/hookflow/integrations"
	"github.com/hookflow/hookflow/integrations/internal/kindtest"
)

const apiToken = "0123456789abcdefsecrettoken"

// pipedriveAPI stands in for Pipedrive's API v2 as documented today
// (developers.pipedrive.com/docs/api/v2, checked 2026-11-29): the token in
// the x-api-token header, persons and deals under /api/v2, search by email,
// deals updated with PATCH. The v1 persons and deals endpoints are out of
// support since 2026-08-01; this stand-in answers them 410.
type pipedriveAPI struct {
	*kindtest.Vendor
	mu      sync.Mutex
	persons map[int]map[string]any
	deals   map[int]map[string]any
	next    int
}

func serve(t *testing.T) *pipedriveAPI {
	p := &pipedriveAPI{persons: map[int]map[string]any{}, deals: map[int]map[string]any{}, next: 1000}
	p.Vendor = kindtest.ServeFunc(t, p.answer)
	return p
}

func reply(status int, v any) kindtest.Reply {
	b, _ := json.Marshal(v)
	return kindtest.Reply{Status: status, Body: string(b)}
}

func failure(status int, msg string) kindtest.Reply {
	return reply(status, map[string]any{"success": false, "error": msg, "errorCode": status})
}

func (p *pipedriveAPI) answer(g kindtest.Got) kindtest.Reply {
	p.mu.Lock()
	defer p.mu.Unlock()
	q, _ := url.ParseQuery(g.Query)
	switch {
	case q.Has("api_token"):
		return failure(400, "the API token goes in the x-api-token header")
	case g.Header.Get("X-Api-Token") != apiToken:
		return failure(401, "unauthorized access")
	case !strings.HasPrefix(g.Path, "/api/v2/"):
		return failure(410, "this endpoint is out of support: use API v2")
	}
	var body map[string]any
	_ = json.Unmarshal(g.Body, &body)
	path := strings.TrimPrefix(g.Path, "/api/v2/")
	switch {
	case g.Method == http.MethodGet && path == "persons/search":
		if q.Get("fields") != "email" || q.Get("exact_match") != "true" || len(q.Get("term")) < 2 {
			return failure(400, "term, fields=email and exact_match=true expected")
		}
		items := []any{}
		for id := 1000; id < p.next; id++ {
			person, ok := p.persons[id]
			if !ok {
				continue
			}
			for _, e := range person["emails"].([]any) {
				if strings.EqualFold(e.(map[string]any)["value"].(string), q.Get("term")) {
					items = append(items, map[string]any{"result_score": 1, "item": map[string]any{
						"id": id, "type": "person", "name": person["name"], "emails": []any{q.Get("term")}}})
				}
			}
		}
		return reply(200, map[string]any{"success": true, "data": map[string]any{"items": items}, "additional_data": map[string]any{"next_cursor": nil}})
	case g.Method == http.MethodPost && path == "persons":
		if body["name"] == nil {
			return failure(400, "Name is required")
		}
		if _, old := body["email"]; old {
			return failure(400, "unknown field email: API v2 takes emails")
		}
		if body["emails"] == nil {
			body["emails"] = []any{}
		}
		id := p.next
		p.next++
		body["id"] = id
		p.persons[id] = body
		return reply(200, map[string]any{"success": true, "data": body})
	case g.Method == http.MethodPost && path == "deals":
		if _, isString := body["value"].(string); isString {
			return failure(400, "value must be a number")
		}
		if _, old := body["user_id"]; old {
			return failure(400, "unknown field user_id: API v2 takes owner_id")
		}
		id := p.next
		p.next++
		body["id"] = id
		if body["status"] == nil {
			body["status"] = "open"
		}
		p.deals[id] = body
		return reply(201, map[string]any{"success": true, "data": body})
	case g.Method == http.MethodPatch && strings.HasPrefix(path, "deals/"):
		var id int
		if _, err := fmt.Sscanf(strings.TrimPrefix(path, "deals/"), "%d", &id); err != nil || p.deals[id] == nil {
			return failure(404, "Deal not found")
		}
		for k, v := range body {
			p.deals[id][k] = v
		}
		return reply(200, map[string]any{"success": true, "data": p.deals[id]})
	}
	return failure(404, "Unknown method")
}

func load(t *testing.T, v *pipedriveAPI) *integrations.Set {
	return kindtest.Load(t, "deals:\n  kind: pipedrive\n  base_url: "+v.URL+"\n  api_token: "+apiToken+"\n")
}

func TestConfig(t *testing.T) {
	_, err := kindtest.LoadErr(t, "deals:\n  kind: pipedrive\n")
	if err == nil || !strings.Contains(err.Error(), "hookflow.yaml:2:3: integrations.deals.api_token is required") {
		t.Errorf("error %v", err)
	}
	for _, tc := range []struct{ doc, url string }{
		{"deals:\n  kind: pipedrive\n  api_token: t0k3n\n", "https://api.pipedrive.com/api/v2/deals"},
		// Defect 2 (issue 13): the company domain's API is below /api.
		{"deals:\n  kind: pipedrive\n  company_domain: acme\n  api_token: t0k3n\n", "https://acme.pipedrive.com/api/v2/deals"},
	} {
		s := kindtest.Load(t, tc.doc)
		rec, err := s.Build(integrations.Call{Integration: "deals", Operation: "create_deal", Input: map[string]any{"title": "x"}})
		if err != nil || rec.URL != tc.url || rec.Headers["X-Api-Token"] != "[redacted]" {
			t.Errorf("%s: URL %q, headers %v, %v", tc.doc, rec.URL, rec.Headers, err)
		}
	}
	for _, tc := range []struct{ doc, want string }{
		{"deals:\n  kind: pipedrive\n  company_domain: acme.pipedrive.com/x\n  api_token: t\n", "company_domain must be the part before .pipedrive.com"},
		{"deals:\n  kind: pipedrive\n  company_domain: acme\n  base_url: https://p.example\n  api_token: t\n", "company_domain and base_url: give one"},
	} {
		if _, err := kindtest.LoadErr(t, tc.doc); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want %q", err, tc.want)
		}
	}
}

// Defect 2 (issue 13): persons and deals are created through API v2 with
// the token in the x-api-token header, never in the query string.
func TestCreatePerson(t *testing.T) {
	v := serve(t)
	res, err := kindtest.Call(t, load(t, v), "deals", "create_person", map[string]any{
		"name": "Ada Lovelace", "email": "ada@example.com", "phone": []any{"+441234"}, "org_id": float64(17),
		"fields": map[string]any{"9dc80c50d78a15643bfc4ca79d76156a73a1ca0e": "gold"},
	}, apiToken)
	if err != nil {
		t.Fatal(err)
	}
	got := v.Last(t)
	if got.Method != http.MethodPost || got.Path != "/api/v2/persons" || got.Query != "" || got.Header.Get("Content-Type") != "application/json" {
		t.Errorf("sent %s %s?%s %v", got.Method, got.Path, got.Query, got.Header)
	}
	want := map[string]any{
		"name":          "Ada Lovelace",
		"emails":        []any{map[string]any{"value": "ada@example.com", "primary": true, "label": "work"}},
		"phones":        []any{map[string]any{"value": "+441234", "primary": true, "label": "work"}},
		"org_id":        float64(17),
		"custom_fields": map[string]any{"9dc80c50d78a15643bfc4ca79d76156a73a1ca0e": "gold"},
	}
	if body := got.JSON(t); !reflect.DeepEqual(body, want) {
		t.Errorf("body %v\nwant %v", body, want)
	}
	if want := map[string]any{"id": int64(1000), "name": "Ada Lovelace"}; !reflect.DeepEqual(res.Output, want) {
		t.Errorf("output %v", res.Output)
	}
	if res.Request.Headers["X-Api-Token"] != "[redacted]" || strings.Contains(res.Request.URL, "api_token") {
		t.Errorf("recorded %s %v", res.Request.URL, res.Request.Headers)
	}
}

func TestCreateDeal(t *testing.T) {
	v := serve(t)
	res, err := kindtest.Call(t, load(t, v), "deals", "create_deal", map[string]any{
		"title": "Order #1001", "value": "1250.50", "currency": "EUR", "person_id": int64(1042), "owner_id": 7, "status": "won",
	}, apiToken)
	if err != nil {
		t.Fatal(err)
	}
	got := v.Last(t)
	if got.Path != "/api/v2/deals" {
		t.Errorf("sent to %s", got.Path)
	}
	want := map[string]any{"title": "Order #1001", "value": 1250.5, "currency": "EUR", "person_id": float64(1042), "owner_id": float64(7), "status": "won"}
	if body := got.JSON(t); !reflect.DeepEqual(body, want) {
		t.Errorf("body %v\nwant %v", body, want)
	}
	if want := map[string]any{"id": int64(1000), "title": "Order #1001", "status": "won"}; !reflect.DeepEqual(res.Output, want) {
		t.Errorf("output %v", res.Output)
	}
}

// Defect 2 (issue 13): an order does not create a new person each time:
// find_or_create_person finds the person by email first, so the second
// order (and a retry after a lost answer) reuses the first.
func TestFindOrCreatePerson(t *testing.T) {
	v := serve(t)
	s := load(t, v)
	in := map[string]any{"name": "Ada Lovelace", "email": " Ada@Example.com "}
	first, err := kindtest.Call(t, s, "deals", "find_or_create_person", in, apiToken)
	if err != nil {
		t.Fatal(err)
	}
	second, err := kindtest.Call(t, s, "deals", "find_or_create_person", in, apiToken)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.persons) != 1 {
		t.Errorf("%d persons created, want 1", len(v.persons))
	}
	if want := map[string]any{"id": int64(1000), "name": "Ada Lovelace", "found": false, "created": true}; !reflect.DeepEqual(first.Output, want) {
		t.Errorf("first output %v", first.Output)
	}
	if want := map[string]any{"id": int64(1000), "name": "Ada Lovelace", "found": true, "created": false}; !reflect.DeepEqual(second.Output, want) {
		t.Errorf("second output %v", second.Output)
	}
	all := v.All()
	if len(all) != 3 || all[0].Path != "/api/v2/persons/search" || all[0].Query != "exact_match=true&fields=email&term=ada%40example.com" ||
		all[1].Path != "/api/v2/persons" || all[2].Method != http.MethodGet {
		t.Errorf("requests %+v", all)
	}
	if !strings.HasSuffix(second.Request.URL, "/api/v2/persons/search?exact_match=true&fields=email&term=ada%40example.com") {
		t.Errorf("recorded %s", second.Request.URL)
	}
	if _, err := kindtest.Call(t, s, "deals", "find_or_create_person", map[string]any{"name": "x"}, apiToken); err == nil || !strings.Contains(err.Error(), "with.email is required") {
		t.Errorf("without email: %v", err)
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
		{"token echoed", kindtest.Reply{Status: 500, Body: `{"success": false, "error": "failure for token ` + apiToken + `"}`}, true, 0, "token [redacted]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := kindtest.Serve(t, tc.reply)
			s := kindtest.Load(t, "deals:\n  kind: pipedrive\n  base_url: "+v.URL+"\n  api_token: "+apiToken+"\n")
			_, err := kindtest.Call(t, s, "deals", "create_deal", map[string]any{"title": "x"}, apiToken)
			e := kindtest.Failure(t, err, tc.retryable)
			if e.RetryAfter != tc.retryAfter || !strings.Contains(e.Message, tc.want) {
				t.Errorf("RetryAfter %v, message %q; want %v, %q", e.RetryAfter, e.Message, tc.retryAfter, tc.want)
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	v := serve(t)
	s := load(t, v)
	for _, tc := range []struct {
		op    string
		input map[string]any
		want  string
	}{
		{"create_deal", map[string]any{"title": "x", "status": "closed"}, "with.status must be open, won or lost"},
		{"create_deal", map[string]any{"title": "x", "person_id": "abc"}, "with.person_id must be a whole number, got a string"},
		{"create_deal", map[string]any{"title": "x", "value": "12 EUR"}, "with.value must be a number"},
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

// Issue 13, read and update: search a person by email (output.found) and
// update a deal, its id one path segment.
func TestFindPersonAndUpdateDeal(t *testing.T) {
	v := serve(t)
	s := load(t, v)
	res, err := kindtest.Call(t, s, "deals", "find_person", map[string]any{"email": "ada@example.com"}, apiToken)
	if err != nil || !reflect.DeepEqual(res.Output, map[string]any{"found": false, "id": nil, "name": nil}) {
		t.Fatalf("nobody yet: %v %v", res.Output, err)
	}
	if _, err := kindtest.Call(t, s, "deals", "create_person", map[string]any{"name": "Ada", "email": "ada@example.com"}, apiToken); err != nil {
		t.Fatal(err)
	}
	res, err = kindtest.Call(t, s, "deals", "find_person", map[string]any{"email": "ADA@example.com"}, apiToken)
	if err != nil || !reflect.DeepEqual(res.Output, map[string]any{"found": true, "id": int64(1000), "name": "Ada"}) {
		t.Errorf("found: %v %v", res.Output, err)
	}
	deal, err := kindtest.Call(t, s, "deals", "create_deal", map[string]any{"title": "Order #1"}, apiToken)
	if err != nil {
		t.Fatal(err)
	}
	id := deal.Output.(map[string]any)["id"]
	res, err = kindtest.Call(t, s, "deals", "update_deal", map[string]any{"deal_id": id, "stage_id": 3, "status": "won"}, apiToken)
	if err != nil {
		t.Fatal(err)
	}
	if got := v.Last(t); got.Method != http.MethodPatch || got.Path != fmt.Sprintf("/api/v2/deals/%d", id) || !reflect.DeepEqual(got.JSON(t), map[string]any{"stage_id": float64(3), "status": "won"}) {
		t.Errorf("sent %s %s %s", got.Method, got.Path, got.Body)
	}
	if out := res.Output.(map[string]any); out["status"] != "won" || out["stage_id"] != float64(3) {
		t.Errorf("update_deal %v", out)
	}
	n := v.Count()
	for _, bad := range []any{"../persons", "1?x=1", "1#f", "1;a", "%31"} {
		if _, err := kindtest.Call(t, s, "deals", "update_deal", map[string]any{"deal_id": bad, "status": "won"}, apiToken); err == nil || !strings.Contains(err.Error(), "with.deal_id must be a whole number") {
			t.Errorf("deal_id %q: %v", bad, err)
		}
	}
	if v.Count() != n {
		t.Error("a non-numeric deal id reached Pipedrive")
	}
}
