package googlesheets_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/hookflow/hookflow/integrations"
	"github.com/hookflow/hookflow/integrations/internal/kindtest"
	"github.com/hookflow/hookflow/integrations/internal/tokentest"
)

const (
	sheetID = "1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms"
	email   = "hookflow@acme-project.iam.gserviceaccount.com"
	scope   = "https://www.googleapis.com/auth/spreadsheets"
)

// google stands in for Google: a token endpoint that takes a service
// account's JWT bearer assertion (RS256, iss the client_email, aud the
// token URI, scope spreadsheets; developers.google.com/identity/protocols/oauth2/service-account),
// and the Sheets API v4 values.append and values.update as documented
// (checked 2026-11-29): the range in the path (a method suffix :append on
// the range's segment), valueInputOption (and insertDataOption) in the
// query, a ValueRange body whose range is the path's, majorDimension ROWS,
// and the AppendValuesResponse / UpdateValuesResponse answers. The sheet
// is kept as rows, so appends land after the last row.
type google struct {
	tokens *tokentest.Server
	api    *httptest.Server
	mu     sync.Mutex
	sheet  map[string][][]any // by sheet name
	got    []*http.Request
	bodies []map[string]any
}

func startGoogle(t *testing.T) *google {
	priv, _ := tokentest.Key(t)
	g := &google{sheet: map[string][][]any{"Orders": {{"Order", "Email", "Total"}}}}
	g.tokens = tokentest.Start(t, &tokentest.Server{Key: &priv.PublicKey, Issuer: email, Scope: scope, ExpiresIn: 3599, Prefix: "CANARY-ya29"})
	g.tokens.Audience = g.tokens.URL
	g.api = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.api.Close)
	return g
}

func fail(w http.ResponseWriter, code int, status, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": code, "message": msg, "status": status}})
}

func (g *google) serve(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	json.NewDecoder(r.Body).Decode(&body)
	g.mu.Lock()
	defer g.mu.Unlock()
	g.got, g.bodies = append(g.got, r), append(g.bodies, body)
	if !g.tokens.Valid(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")) {
		fail(w, 401, "UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.")
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/v4/spreadsheets/"+sheetID+"/values/")
	if !ok {
		fail(w, 404, "NOT_FOUND", "Requested entity was not found.")
		return
	}
	rng, isAppend := strings.CutSuffix(rest, ":append")
	q := r.URL.Query()
	vio := q.Get("valueInputOption")
	switch {
	case vio != "USER_ENTERED" && vio != "RAW":
		fail(w, 400, "INVALID_ARGUMENT", "Invalid valueInputOption: INPUT_VALUE_OPTION_UNSPECIFIED")
		return
	case isAppend && (r.Method != http.MethodPost || q.Get("insertDataOption") != "INSERT_ROWS"):
		fail(w, 400, "INVALID_ARGUMENT", "append: POST with insertDataOption")
		return
	case !isAppend && r.Method != http.MethodPut:
		fail(w, 404, "NOT_FOUND", "values.update is PUT")
		return
	case body["range"] != rng || body["majorDimension"] != "ROWS":
		fail(w, 400, "INVALID_ARGUMENT", fmt.Sprintf("Requested writing within range [%v], but tried writing to [%s]", body["range"], rng))
		return
	}
	name, _, _ := strings.Cut(rng, "!")
	rows, ok := g.sheet[name]
	if !ok {
		fail(w, 400, "INVALID_ARGUMENT", "Unable to parse range: "+rng)
		return
	}
	values, _ := body["values"].([]any)
	cols := 0
	for _, v := range values {
		cols = max(cols, len(v.([]any)))
	}
	last := string(rune('A' + cols - 1))
	w.Header().Set("Content-Type", "application/json")
	if isAppend {
		first := len(rows) + 1
		for _, v := range values {
			rows = append(rows, v.([]any))
		}
		g.sheet[name] = rows
		json.NewEncoder(w).Encode(map[string]any{
			"spreadsheetId": sheetID,
			"tableRange":    fmt.Sprintf("%s!A1:C%d", name, first-1),
			"updates": map[string]any{"spreadsheetId": sheetID, "updatedRange": fmt.Sprintf("%s!A%d:%s%d", name, first, last, first+len(values)-1),
				"updatedRows": len(values), "updatedColumns": cols, "updatedCells": len(values) * cols},
		})
		return
	}
	json.NewEncoder(w).Encode(map[string]any{"spreadsheetId": sheetID, "updatedRange": rng,
		"updatedRows": len(values), "updatedColumns": cols, "updatedCells": len(values) * cols})
}

func (g *google) last(t *testing.T) (*http.Request, map[string]any) {
	t.Helper()
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.got) == 0 {
		t.Fatal("Google received no request")
	}
	return g.got[len(g.got)-1], g.bodies[len(g.bodies)-1]
}

func (g *google) count() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.got)
}

func doc(t *testing.T, g *google) string {
	sa := tokentest.ServiceAccount(t, email, g.tokens.URL)
	return "sheet:\n  kind: google_sheets\n  base_url: " + g.api.URL + "\n  spreadsheet_id: " + sheetID +
		"\n  oauth:\n    service_account: '" + sa + "'\n"
}

func TestAppendRows(t *testing.T) {
	g := startGoogle(t)
	s := kindtest.Load(t, doc(t, g))
	_, pemKey := tokentest.Key(t)
	res, err := kindtest.Call(t, s, "sheet", "append_rows", map[string]any{
		"range": "Orders!A:C", "row": []any{"#1001", "ada@example.com", 99.5},
	}, "CANARY", pemKey)
	if err != nil {
		t.Fatal(err)
	}
	r, body := g.last(t)
	if r.URL.EscapedPath() != "/v4/spreadsheets/"+sheetID+"/values/Orders%21A:C:append" || r.URL.RawQuery != "insertDataOption=INSERT_ROWS&valueInputOption=USER_ENTERED" {
		t.Errorf("sent %s %s?%s", r.Method, r.URL.EscapedPath(), r.URL.RawQuery)
	}
	if want := []any{[]any{"#1001", "ada@example.com", 99.5}}; !reflect.DeepEqual(body["values"], want) {
		t.Errorf("values %v", body["values"])
	}
	want := map[string]any{"spreadsheet_id": sheetID, "table_range": "Orders!A1:C1", "updated_range": "Orders!A2:C2",
		"updated_rows": 1, "updated_cells": 3, "row": 2}
	if !reflect.DeepEqual(res.Output, want) {
		t.Errorf("output %v, want %v", res.Output, want)
	}
	if res.Request.Headers["Authorization"] != "[redacted]" {
		t.Errorf("recorded %v", res.Request.Headers)
	}
	// Two rows, stored as given; the same token is reused.
	res, err = kindtest.Call(t, s, "sheet", "append_rows", map[string]any{
		"range": "Orders", "rows": []any{[]any{"#1002", nil, true}, []any{"=A2", "x"}}, "value_input": "raw",
	}, "CANARY", pemKey)
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := g.last(t); r.URL.Query().Get("valueInputOption") != "RAW" {
		t.Errorf("query %s", r.URL.RawQuery)
	}
	if out := res.Output.(map[string]any); out["row"] != 3 || out["updated_range"] != "Orders!A3:C4" {
		t.Errorf("output %v", out)
	}
	if n := len(g.tokens.Issued()); n != 1 {
		t.Errorf("fetched %d tokens, want 1", n)
	}
}

func TestUpdateRows(t *testing.T) {
	g := startGoogle(t)
	s := kindtest.Load(t, doc(t, g))
	res, err := kindtest.Call(t, s, "sheet", "update_rows", map[string]any{
		"range": "Orders!D7", "row": []any{"shipped", "1Z999"}, "spreadsheet_id": sheetID,
	}, "CANARY")
	if err != nil {
		t.Fatal(err)
	}
	r, body := g.last(t)
	if r.Method != http.MethodPut || r.URL.EscapedPath() != "/v4/spreadsheets/"+sheetID+"/values/Orders%21D7" || body["range"] != "Orders!D7" {
		t.Errorf("sent %s %s %v", r.Method, r.URL.EscapedPath(), body)
	}
	if out := res.Output.(map[string]any); out["row"] != 7 || out["updated_cells"] != 2 {
		t.Errorf("output %v", out)
	}
}

// A sheet name from event data stays one escaped path segment; bad input
// fails before anything is sent.
func TestBadInput(t *testing.T) {
	g := startGoogle(t)
	s := kindtest.Load(t, doc(t, g))
	for _, tc := range []struct {
		op    string
		input map[string]any
		want  string
	}{
		{"append_rows", map[string]any{"range": "Orders"}, "with.rows (a list of rows) or with.row (one row) is required"},
		{"append_rows", map[string]any{"range": "Orders", "row": []any{map[string]any{"a": 1}}}, "with.row[0] must be a string, number or true/false"},
		{"append_rows", map[string]any{"range": "Orders", "rows": []any{"a"}}, "with.rows[0] must be a list of cell values"},
		{"append_rows", map[string]any{"range": "Orders", "row": []any{"a"}, "rows": []any{}}, "give one"},
		{"append_rows", map[string]any{"range": "Orders", "row": []any{"a"}, "value_input": "FORMULA"}, "with.value_input must be USER_ENTERED"},
		{"update_rows", map[string]any{"range": "..", "row": []any{"a"}}, `a URL path segment cannot be or contain the dot segment ".."`},
		{"update_rows", map[string]any{"range": "A1", "row": []any{"a"}, "spreadsheet_id": "../x"}, "with.spreadsheet_id must be a spreadsheet id"},
		{"update_rows", map[string]any{"range": "A1", "row": []any{"a"}, "colour": 1}, "colour"},
	} {
		_, err := kindtest.Call(t, s, "sheet", tc.op, tc.input)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %v: error %v, want %q", tc.op, tc.input, err, tc.want)
		}
	}
	if g.count() != 0 {
		t.Errorf("bad input reached Google")
	}
	// A range with / ? # stays in its segment (Google answers 400 for a
	// sheet that does not exist; nothing else is reached).
	_, err := kindtest.Call(t, s, "sheet", "update_rows", map[string]any{"range": "a/b?c#d!A1", "row": []any{"x"}})
	r, _ := g.last(t)
	if r.URL.EscapedPath() != "/v4/spreadsheets/"+sheetID+"/values/a%2Fb%3Fc%23d%21A1" || r.URL.RawQuery != "valueInputOption=USER_ENTERED" {
		t.Errorf("sent %s?%s", r.URL.EscapedPath(), r.URL.RawQuery)
	}
	kindtest.Failure(t, err, false)
}

// Google's errors: a sheet not shared with the service account says so; a
// rejected token is replaced once; quota errors retry.
func TestFailures(t *testing.T) {
	g := startGoogle(t)
	d := doc(t, g)
	s := kindtest.Load(t, strings.Replace(d, "spreadsheet_id: "+sheetID, "spreadsheet_id: 1NotSharedWithTheServiceAccount", 1))
	_, err := kindtest.Call(t, s, "sheet", "append_rows", map[string]any{"range": "Orders", "row": []any{"a"}})
	e := kindtest.Failure(t, err, false)
	if !strings.Contains(e.Message, "HTTP 404 Not Found: Requested entity was not found. (check spreadsheet_id") {
		t.Errorf("message %q", e.Message)
	}
	// Google revokes the token (a new key, a disabled account): one new
	// token, one resend.
	s = kindtest.Load(t, d)
	if _, err := kindtest.Call(t, s, "sheet", "append_rows", map[string]any{"range": "Orders", "row": []any{"a"}}); err != nil {
		t.Fatal(err)
	}
	revoked := g.tokens.Issue()
	if _, err := kindtest.Call(t, s, "sheet", "append_rows", map[string]any{"range": "Orders", "row": []any{"b"}}); err != nil {
		t.Fatalf("a revoked token should be replaced: %v", err)
	}
	if issued := g.tokens.Issued(); issued[len(issued)-2] != revoked {
		t.Errorf("issued %v: want one new token after the revoked one", issued)
	}

	for _, tc := range []struct {
		status    int
		body      string
		retryable bool
		want      string
	}{
		{403, `{"error": {"code": 403, "message": "The caller does not have permission", "status": "PERMISSION_DENIED"}}`, false, "share the spreadsheet with the service account's client_email"},
		{429, `{"error": {"code": 429, "message": "Quota exceeded for quota metric 'Write requests'", "status": "RESOURCE_EXHAUSTED"}}`, true, "Quota exceeded"},
		{503, `{"error": {"code": 503, "message": "The service is currently unavailable.", "status": "UNAVAILABLE"}}`, true, "HTTP 503"},
	} {
		v := kindtest.Serve(t, kindtest.Reply{Status: tc.status, Body: tc.body})
		s := kindtest.Load(t, strings.Replace(d, "base_url: "+g.api.URL, "base_url: "+v.URL, 1))
		_, err := kindtest.Call(t, s, "sheet", "append_rows", map[string]any{"range": "Orders", "row": []any{"a"}}, "CANARY")
		e := kindtest.Failure(t, err, tc.retryable)
		if !strings.Contains(e.Message, tc.want) {
			t.Errorf("%d: message %q", tc.status, e.Message)
		}
	}
}

func TestConfig(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"no oauth", "sheet:\n  kind: google_sheets\n", "hookflow.yaml:2:3: integrations.sheet.oauth is required: a service account"},
		{"bad id", "sheet:\n  kind: google_sheets\n  spreadsheet_id: a/b\n  oauth: {service_account: x}\n", "hookflow.yaml:3:19: integrations.sheet.spreadsheet_id must be a spreadsheet id"},
		{"not a key", "sheet:\n  kind: google_sheets\n  oauth:\n    service_account: '{\"type\": \"authorized_user\"}'\n", "hookflow.yaml:4:22: integrations.sheet.oauth.service_account must be a Google service-account key"},
		{"client credentials", "sheet:\n  kind: google_sheets\n  oauth:\n    grant: client_credentials\n", "integrations.sheet.oauth.grant must be one of: jwt_bearer, refresh_token"},
	} {
		_, err := kindtest.LoadErr(t, tc.doc)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
	// Build shows the request without fetching a token.
	g := startGoogle(t)
	s := kindtest.Load(t, doc(t, g))
	rec, err := s.Build(integrations.Call{Integration: "sheet", Operation: "append_rows", Input: map[string]any{"range": "Orders!A:C", "row": []any{"a"}}})
	if err != nil || rec.Headers["Authorization"] != "[redacted]" || len(g.tokens.Grants()) != 0 {
		t.Errorf("Build: %v %v, grants %v", rec, err, g.tokens.Grants())
	}
	if u, _ := url.Parse(rec.URL); u.Query().Get("insertDataOption") != "INSERT_ROWS" {
		t.Errorf("URL %s", rec.URL)
	}
}
