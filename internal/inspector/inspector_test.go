package inspector

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestRecordsAndAnswers(t *testing.T) {
	in := New(2, map[string]Response{
		"crm":                       {Body: map[string]any{"results": []any{map[string]any{"id": "c-{{seq}}"}}}},
		"crm/crm/v3/objects/deals":  {Status: 201, Body: map[string]any{"id": "d-{{seq}}"}},
		"chat/api/chat.postMessage": {Body: map[string]any{"ok": false, "error": "channel_not_found"}},
	})
	srv := httptest.NewServer(in)
	defer srv.Close()
	cases := []struct {
		path   string
		status int
		body   string
	}{
		{"/inspect/crm/crm/v3/objects/contacts/batch/upsert", 200, `{"results":[{"id":"c-1"}]}`},
		{"/inspect/crm/crm/v3/objects/deals", 201, `{"id":"d-2"}`},
		{"/inspect/chat/api/chat.postMessage", 200, `{"error":"channel_not_found","ok":false}`},
		{"/inspect/other/x", 200, `{"id":"other-4","ok":true}`},
	}
	for _, tc := range cases {
		resp, err := http.Post(srv.URL+tc.path, "application/json", strings.NewReader(`{"a":1}`))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || string(body) != tc.body {
			t.Errorf("%s: %d %s, want %d %s", tc.path, resp.StatusCode, body, tc.status, tc.body)
		}
	}
	got := in.Requests("")
	if len(got) != 2 || got[0].Seq != 3 || got[1].Bin != "other" || got[1].Body != `{"a":1}` {
		t.Fatalf("kept %+v; want the newest 2", got)
	}
	if len(in.Requests("chat")) != 1 {
		t.Fatal("bin filter")
	}
	resp, err := http.Get(srv.URL + "/inspect")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), `<span class="path mono">/inspect/other/x</span>`) || !strings.Contains(string(page), "#4") {
		t.Fatalf("page lacks the newest request:\n%s", page)
	}
}

// TestPageShowsStatusFiltersAndPrettyPrints: the page says what the
// inspector answered, keeps only the paths the filter names, and indents
// JSON bodies with every piece escaped.
func TestPageShowsStatusFiltersAndPrettyPrints(t *testing.T) {
	in := New(10, map[string]Response{"crm": {Status: 422, Body: map[string]any{"error": "<bad> & wrong"}}})
	srv := httptest.NewServer(in)
	defer srv.Close()
	post := func(path, body string) {
		resp, err := http.Post(srv.URL+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	post("/inspect/crm/contacts", `{"email":"a@example.com","n":12,"vip":true,"note":null}`)
	post("/inspect/chat/post", `text=hi&x=<y>`)
	page := get(t, srv.URL+"/inspect")
	for _, want := range []string{
		`<span class="status warn" data-field="status" title="what the inspector answered">422</span>`,
		`<span class="status ok" data-field="status" title="what the inspector answered">200</span>`,
		"{\n  <span class=\"k\">&#34;email&#34;</span>: <span class=\"s\">&#34;a@example.com&#34;</span>,\n  <span class=\"k\">&#34;n&#34;</span>: <span class=\"n\">12</span>",
		`<span class="k">&#34;vip&#34;</span>: <span class="l">true</span>`,
		`<span class="s">&#34;\u003cbad\u003e \u0026 wrong&#34;</span>`, // the answer as sent, escaped once more for HTML
		`text=hi&amp;x=&lt;y&gt;`, // not JSON: shown as it is, escaped
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	filtered := get(t, srv.URL+"/inspect?path=/inspect/chat")
	if strings.Contains(filtered, "/inspect/crm/contacts") || !strings.Contains(filtered, "/inspect/chat/post") {
		t.Errorf("?path=/inspect/chat shows the wrong requests:\n%s", filtered)
	}
	if js := get(t, srv.URL+"/inspect/requests?path=crm"); !strings.Contains(js, `"status":422`) || strings.Contains(js, "/inspect/chat") {
		t.Errorf("/inspect/requests?path=crm = %s", js)
	}
	if none := get(t, srv.URL+"/inspect?path=nothing-like-this"); !strings.Contains(none, "No request matches this filter.") {
		t.Errorf("an empty filter result says nothing")
	}
}

// TestSetResponsesSwapsCannedAnswers is what a project reload does.
func TestSetResponsesSwapsCannedAnswers(t *testing.T) {
	in := New(10, map[string]Response{"erp": {Status: 503}})
	srv := httptest.NewServer(in)
	defer srv.Close()
	status := func() int {
		resp, err := http.Post(srv.URL+"/inspect/erp/orders", "application/json", strings.NewReader(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := status(); got != 503 {
		t.Fatalf("before: %d, want 503", got)
	}
	in.SetResponses(map[string]Response{"erp/orders": {Status: 201, Body: map[string]any{"id": "o-{{seq}}"}}})
	if got := status(); got != 201 {
		t.Fatalf("after SetResponses: %d, want 201", got)
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
