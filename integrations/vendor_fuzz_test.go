package integrations

import (
	"net/url"
	"strings"
	"testing"
)

// An id from a payload stays inside its path segment, whatever it holds.
func FuzzURL(f *testing.F) {
	for _, s := range []string{"42", "../admin", "a/b?c#d", "%2F", "", "..", "\x00", "é ü"} {
		f.Add(s)
	}
	base, _ := url.Parse("https://api.example/v1")
	f.Fuzz(func(t *testing.T, id string) {
		raw := URL(base, "orders", id)
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatalf("URL(%q) = %q does not parse: %v", id, raw, err)
		}
		if u.Host != "api.example" || u.RawQuery != "" || u.Fragment != "" {
			t.Fatalf("URL(%q) = %q escapes its segment", id, raw)
		}
		rest, ok := strings.CutPrefix(u.EscapedPath(), "/v1/orders/")
		if !ok || strings.Contains(rest, "/") || rest == "." || rest == ".." {
			t.Fatalf("URL(%q) = %q adds or climbs path segments", id, raw)
		}
		if got, _ := url.PathUnescape(rest); got != id {
			t.Fatalf("URL(%q) round trip gives %q", id, got)
		}
	})
}

// An id an Op puts into its path template is refused or stays one segment
// of the path below the API's base, with no query or fragment of its own.
func FuzzOpPath(f *testing.F) {
	for _, s := range []string{"42", "../admin", "a/b?c#d", "%2F", "", "..", "..;x", `..\x`, "1;a=b", "é ü"} {
		f.Add(s)
	}
	base, _ := url.Parse("https://api.example/v2?sig=a%2Bb")
	api := &API{Base: base}
	op := api.Operations(map[string]*Op{"o": {Path: "orders/{id}/notes", Build: func(in *In) (any, error) {
		in.Params["id"], _ = in.With["id"].(string)
		return nil, nil
	}}})["o"]
	f.Fuzz(func(t *testing.T, id string) {
		req, err := op.Request(Call{Input: map[string]any{"id": id}})
		if err != nil {
			return
		}
		u, err := url.Parse(req.URL)
		if err != nil || u.Host != "api.example" || u.RawQuery != "sig=a%2Bb" || u.Fragment != "" {
			t.Fatalf("id %q: URL %q", id, req.URL)
		}
		seg, ok := strings.CutPrefix(u.EscapedPath(), "/v2/orders/")
		seg, ok2 := strings.CutSuffix(seg, "/notes")
		if !ok || !ok2 || strings.Contains(seg, "/") {
			t.Fatalf("id %q: path %q is not one segment", id, u.EscapedPath())
		}
		if got, _ := url.PathUnescape(seg); got != id {
			t.Fatalf("id %q: round trip gives %q", id, got)
		}
	})
}
