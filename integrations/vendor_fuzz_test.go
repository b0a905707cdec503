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
