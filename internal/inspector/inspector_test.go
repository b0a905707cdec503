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
	if !strings.Contains(string(page), "#4 POST /inspect/other/x") {
		t.Fatalf("page lacks the newest request:\n%s", page)
	}
}
