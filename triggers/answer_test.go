package triggers

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// TestAnswersAreJSONLines: every answer ends with a newline (curl prints the
// prompt on its own line) and keeps <, > and & readable.
func TestAnswersAreJSONLines(t *testing.T) {
	h := newTestServer(t, &fakeStarter{})
	for _, tc := range []struct {
		name   string
		method string
		path   string
		status int
	}{
		{"accepted", "POST", "/hooks/gh", 202},
		{"unknown trigger", "POST", "/hooks/nope", 404},
		{"no route", "GET", "/nope?<b>", 404},
		{"healthz", "GET", "/healthz", 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := githubRequest(t, `{"action":"<opened> & more"}`, nil)
			r.Method, r.URL.Path = tc.method, tc.path
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			body := w.Body.String()
			if w.Code != tc.status || !strings.HasSuffix(body, "}\n") || strings.Count(body, "\n") != 1 || strings.Contains(body, `\u003c`) {
				t.Fatalf("%d %q", w.Code, body)
			}
			if w.Header().Get("X-Content-Type-Options") != "nosniff" || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
				t.Fatalf("headers %v", w.Header())
			}
		})
	}
}
