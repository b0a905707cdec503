package integrations

import (
	"net/url"
	"strings"
	"testing"
)

func TestSegmentURL(t *testing.T) {
	base, _ := url.Parse("https://api.example/v1")
	got, err := SegmentURL(base, "orders", "a/b?c#d;e%f\\g", "x y")
	if err != nil {
		t.Fatal(err)
	}
	if want := "https://api.example/v1/orders/a%2Fb%3Fc%23d%3Be%25f%5Cg/x%20y"; got != want {
		t.Errorf("SegmentURL = %q, want %q", got, want)
	}
	for _, bad := range []string{"", ".", "..", "a/../b", `..\x`, "/", "./", "..;x", "a/.;/b"} {
		if u, err := SegmentURL(base, "orders", bad); err == nil {
			t.Errorf("SegmentURL(%q) = %q, want an error", bad, u)
		}
	}
}

func TestJoinPath(t *testing.T) {
	base, _ := url.Parse("https://api.example/base/v1")
	withQuery, _ := url.Parse("https://hooks.example/in?tenant=acme")
	tests := []struct {
		name  string
		base  *url.URL
		path  string
		query url.Values
		want  string // "" means refused
	}{
		{"empty", base, "", nil, "https://api.example/base/v1"},
		{"segments", base, "/orders/42/cancel", nil, "https://api.example/base/v1/orders/42/cancel"},
		{"no leading slash", base, "orders", nil, "https://api.example/base/v1/orders"},
		{"trailing slash kept", base, "/orders/", nil, "https://api.example/base/v1/orders/"},
		{"encoded kept", base, "/o/a%2Fb%3Fc", nil, "https://api.example/base/v1/o/a%2Fb%3Fc"},
		{"literal sub-delims kept", base, "/a;v=1/b@c:d", nil, "https://api.example/base/v1/a;v=1/b@c:d"},
		{"raw space escaped", base, "/a b", nil, "https://api.example/base/v1/a%20b"},
		{"query map encoded", base, "/o", url.Values{"q": {"a&b=c"}}, "https://api.example/base/v1/o?q=a%26b%3Dc"},
		{"configured query kept", withQuery, "/x", url.Values{"n": {"1"}}, "https://hooks.example/in/x?tenant=acme&n=1"},
		{"dot dot", base, "/orders/../../admin", nil, ""},
		{"encoded dot dot", base, "/orders/%2E%2E/admin", nil, ""},
		{"encoded slash dot dot", base, "/orders/..%2F..%2Fadmin", nil, ""},
		{"backslash dot dot", base, `/orders/..%5Cadmin`, nil, ""},
		{"dot", base, "/./x", nil, ""},
		{"query in path", base, "/orders/5?force=true", nil, ""},
		{"fragment", base, "/orders/5#", nil, ""},
		{"absolute URL", base, "https://evil.example/x", nil, ""},
		{"scheme-relative", base, "//evil.example/x", nil, ""},
		{"empty segment", base, "/orders//cancel", nil, ""},
		{"bad escape", base, "/orders/%zz", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := JoinPath(tt.base, tt.path, tt.query)
			if tt.want == "" {
				if err == nil {
					t.Errorf("JoinPath(%q) = %q, want refused", tt.path, got)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("JoinPath(%q) = %q, %v; want %q", tt.path, got, err, tt.want)
			}
		})
	}
}

// Whatever a path holds, the URL JoinPath builds stays on the base's host,
// under its path, with no dot segment, no fragment and only the query map's
// parameters; and a value escaped as one segment comes back whole.
func FuzzJoinPath(f *testing.F) {
	for _, s := range []string{"/orders/42", "../admin", "5?force=true&all=1#", "..;/", "%2e%2e/x", "a%2F..%2Fb", "//h/x", `..\a`, "/a b/%zz", "http://x/y", ""} {
		f.Add(s, "v")
	}
	base, _ := url.Parse("https://api.example/base/v1")
	f.Fuzz(func(t *testing.T, path, value string) {
		q := url.Values{"q": {value}}
		if raw, err := JoinPath(base, path, q); err == nil {
			checkUnder(t, raw, "/base/v1", q)
		}
		// A value rendered as one segment (rules' path_segment) between literals.
		if CheckSegment(value) != nil {
			return
		}
		raw, err := JoinPath(base, "/orders/"+url.PathEscape(value)+"/cancel", nil)
		if err != nil {
			t.Fatalf("escaped segment %q refused: %v", value, err)
		}
		checkUnder(t, raw, "/base/v1", nil)
		u, _ := url.Parse(raw)
		rest, ok := strings.CutPrefix(u.EscapedPath(), "/base/v1/orders/")
		seg, tail, _ := strings.Cut(rest, "/")
		if got, _ := url.PathUnescape(seg); !ok || got != value || tail != "cancel" {
			t.Fatalf("value %q became path %q", value, u.EscapedPath())
		}
	})
}

func checkUnder(t *testing.T, raw, basePath string, want url.Values) {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("%q does not parse: %v", raw, err)
	}
	if u.Scheme != "https" || u.Host != "api.example" || u.Fragment != "" || u.User != nil {
		t.Fatalf("%q left the base", raw)
	}
	p := u.EscapedPath()
	if p != basePath && !strings.HasPrefix(p, basePath+"/") {
		t.Fatalf("%q is not under %s", raw, basePath)
	}
	for _, seg := range strings.Split(p, "/") {
		dec, err := url.PathUnescape(seg)
		if err != nil {
			t.Fatalf("%q: bad escape in %q", raw, seg)
		}
		for _, part := range strings.FieldsFunc(dec, func(r rune) bool { return r == '/' || r == '\\' }) {
			if part == "." || part == ".." {
				t.Fatalf("%q holds a dot segment", raw)
			}
		}
	}
	if got := u.Query(); got.Encode() != want.Encode() {
		t.Fatalf("%q: query %v, want %v", raw, got, want)
	}
}
