package codec

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
)

const (
	testToken = "operator-token-123"
	uiOrigin  = "http://localhost:8233"
)

func newServer(t *testing.T, token string) (*httptest.Server, *commonpb.Payload) {
	t.Helper()
	c := mustNew(t, newKey(t, "k1"))
	enc, err := c.Encode([]*commonpb.Payload{plainPayload(t)})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/codec/", Handler(c, token, []string{uiOrigin + "/", "https://temporal.example.com"}))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, enc[0]
}

// wirePayloads is the codec protocol's JSON as the Web UI sends it (proto JSON
// field names, bytes in standard base64), kept independent of the SDK's types.
type wirePayloads struct {
	Payloads []wirePayload `json:"payloads"`
}

type wirePayload struct {
	Metadata map[string][]byte `json:"metadata,omitempty"`
	Data     []byte            `json:"data,omitempty"`
}

func payloadsJSON(t *testing.T, ps ...*commonpb.Payload) string {
	t.Helper()
	var w wirePayloads
	w.Payloads = make([]wirePayload, len(ps))
	for i, p := range ps {
		w.Payloads[i].Metadata, w.Payloads[i].Data = p.Metadata, p.Data
	}
	b, err := json.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func parsePayloads(t *testing.T, body string) []*commonpb.Payload {
	t.Helper()
	var w wirePayloads
	if err := json.Unmarshal([]byte(body), &w); err != nil {
		t.Fatalf("response is not Payloads JSON: %v\n%s", err, body)
	}
	out := make([]*commonpb.Payload, len(w.Payloads))
	for i, p := range w.Payloads {
		out[i] = &commonpb.Payload{Metadata: p.Metadata, Data: p.Data}
	}
	return out
}

func do(t *testing.T, method, url, body string, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func TestHandlerDecode(t *testing.T) {
	srv, enc := newServer(t, testToken)
	resp, body := do(t, http.MethodPost, srv.URL+DecodePath, payloadsJSON(t, enc), map[string]string{
		"Authorization": "Bearer " + testToken,
		"Content-Type":  "application/json",
		"X-Namespace":   "default",
		"Origin":        uiOrigin,
	})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	got := parsePayloads(t, body)
	if len(got) != 1 || !got[0].Equal(plainPayload(t)) {
		t.Fatalf("decoded %v, want %v", got, plainPayload(t))
	}
	if o := resp.Header.Get("Access-Control-Allow-Origin"); o != uiOrigin {
		t.Errorf("Access-Control-Allow-Origin = %q, want %q", o, uiOrigin)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", cc)
	}
}

func TestHandlerEncodeThenDecode(t *testing.T) {
	srv, _ := newServer(t, testToken)
	auth := map[string]string{"Authorization": "bearer " + testToken}
	resp, body := do(t, http.MethodPost, srv.URL+EncodePath, payloadsJSON(t, plainPayload(t)), auth)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("encode status %d: %s", resp.StatusCode, body)
	}
	if strings.Contains(body, "alice") {
		t.Fatalf("encode returned plaintext: %s", body)
	}
	resp, body = do(t, http.MethodPost, srv.URL+DecodePath, body, auth)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("decode status %d: %s", resp.StatusCode, body)
	}
	got := parsePayloads(t, body)
	if len(got) != 1 || !got[0].Equal(plainPayload(t)) {
		t.Fatalf("round trip gave %v", got)
	}
}

func TestHandlerAuth(t *testing.T) {
	srv, enc := newServer(t, testToken)
	tests := []struct {
		name   string
		auth   string
		status int
	}{
		{"no header", "", http.StatusUnauthorized},
		{"basic scheme", "Basic b3A6dG9rZW4=", http.StatusUnauthorized},
		{"bearer without token", "Bearer ", http.StatusUnauthorized},
		{"wrong token", "Bearer operator-token-124", http.StatusForbidden},
		{"token prefix", "Bearer operator-token", http.StatusForbidden},
		{"token with suffix", "Bearer " + testToken + "x", http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := map[string]string{"Origin": uiOrigin}
			if tt.auth != "" {
				h["Authorization"] = tt.auth
			}
			resp, body := do(t, http.MethodPost, srv.URL+DecodePath, payloadsJSON(t, enc), h)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
			assertJSONError(t, body, "token")
			if strings.Contains(body, "alice") {
				t.Error("refused request still got plaintext")
			}
			// The browser must be able to read why it was refused.
			if o := resp.Header.Get("Access-Control-Allow-Origin"); o != uiOrigin {
				t.Errorf("Access-Control-Allow-Origin = %q on an error", o)
			}
		})
	}
}

func TestHandlerDisabledWithoutToken(t *testing.T) {
	srv, enc := newServer(t, "")
	for _, tt := range []struct{ method, auth string }{
		{http.MethodPost, ""},
		{http.MethodPost, "Bearer "},
		{http.MethodPost, "Bearer anything"},
		{http.MethodOptions, ""},
	} {
		h := map[string]string{"Origin": uiOrigin, "Access-Control-Request-Method": "POST"}
		if tt.auth != "" {
			h["Authorization"] = tt.auth
		}
		resp, body := do(t, tt.method, srv.URL+DecodePath, payloadsJSON(t, enc), h)
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("%s %q: status %d, want 403", tt.method, tt.auth, resp.StatusCode)
		}
		assertJSONError(t, body, "disabled")
		assertJSONError(t, body, "HOOKFLOW_CODEC_TOKEN")
	}
}

func TestHandlerCORS(t *testing.T) {
	srv, enc := newServer(t, testToken)
	preflight := func(origin string) *http.Response {
		resp, _ := do(t, http.MethodOptions, srv.URL+DecodePath, "", map[string]string{
			"Origin":                         origin,
			"Access-Control-Request-Method":  "POST",
			"Access-Control-Request-Headers": "authorization,content-type,x-namespace",
		})
		return resp
	}

	t.Run("allowed origin preflight", func(t *testing.T) {
		resp := preflight(uiOrigin)
		if resp.StatusCode != http.StatusNoContent {
			t.Fatalf("status %d, want 204", resp.StatusCode)
		}
		want := map[string]string{
			"Access-Control-Allow-Origin":      uiOrigin,
			"Access-Control-Allow-Credentials": "true",
			"Access-Control-Allow-Methods":     "POST, OPTIONS",
		}
		for k, v := range want {
			if got := resp.Header.Get(k); got != v {
				t.Errorf("%s = %q, want %q", k, got, v)
			}
		}
		allowHeaders := strings.ToLower(resp.Header.Get("Access-Control-Allow-Headers"))
		for _, h := range []string{"content-type", "x-namespace", "authorization"} {
			if !strings.Contains(allowHeaders, h) {
				t.Errorf("Access-Control-Allow-Headers %q lacks %s", allowHeaders, h)
			}
		}
		if !strings.Contains(resp.Header.Get("Vary"), "Origin") {
			t.Error("response does not vary by Origin")
		}
	})

	t.Run("second listed origin, case-insensitive", func(t *testing.T) {
		resp := preflight("https://Temporal.example.com")
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "https://Temporal.example.com" {
			t.Errorf("Access-Control-Allow-Origin = %q", got)
		}
	})

	t.Run("other origin", func(t *testing.T) {
		for _, origin := range []string{"https://evil.example", "http://localhost:8234", "null"} {
			resp := preflight(origin)
			for _, h := range []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Credentials", "Access-Control-Allow-Headers"} {
				if got := resp.Header.Get(h); got != "" {
					t.Errorf("origin %s: %s = %q, want none", origin, h, got)
				}
			}
			resp, _ = do(t, http.MethodPost, srv.URL+DecodePath, payloadsJSON(t, enc), map[string]string{
				"Origin": origin, "Authorization": "Bearer " + testToken,
			})
			if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "" {
				t.Errorf("origin %s: POST Access-Control-Allow-Origin = %q, want none", origin, got)
			}
		}
	})
}

func TestHandlerRequestErrors(t *testing.T) {
	srv, enc := newServer(t, testToken)
	auth := map[string]string{"Authorization": "Bearer " + testToken}
	tests := []struct {
		name, method, path, body string
		status                   int
	}{
		{"unknown path", http.MethodPost, "/codec/other", "{}", http.StatusNotFound},
		{"GET decode", http.MethodGet, DecodePath, "", http.StatusMethodNotAllowed},
		{"bad JSON", http.MethodPost, DecodePath, "{not json", http.StatusBadRequest},
		{"unknown key id", http.MethodPost, DecodePath, strings.Replace(payloadsJSON(t, enc), "\"azE=\"", "\"b2xk\"", 1), http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := do(t, tt.method, srv.URL+tt.path, tt.body, auth)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
		})
	}
	t.Run("unknown key id names it", func(t *testing.T) {
		// "azE=" is base64 of the key id "k1"; "b2xk" is "old".
		_, body := do(t, http.MethodPost, srv.URL+DecodePath, strings.Replace(payloadsJSON(t, enc), "\"azE=\"", "\"b2xk\"", 1), auth)
		if !strings.Contains(body, `key \"old\"`) && !strings.Contains(body, `key "old"`) {
			t.Errorf("body %q does not name the unknown key", body)
		}
	})
	t.Run("too large", func(t *testing.T) {
		resp, body := do(t, http.MethodPost, srv.URL+DecodePath, strings.Repeat(" ", maxBody+1), auth)
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("status %d, want 413: %s", resp.StatusCode, body)
		}
	})
}

func assertJSONError(t *testing.T, body, want string) {
	t.Helper()
	var e struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal([]byte(body), &e); err != nil || e.Error == "" {
		t.Fatalf("body is not a JSON error: %q", body)
	}
	if !strings.Contains(e.Error, want) {
		t.Errorf("error %q does not mention %q", e.Error, want)
	}
}
