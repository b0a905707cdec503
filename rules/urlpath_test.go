package rules

import (
	"net/url"
	"strings"
	"testing"
)

func pathOptions() Options {
	return Options{URLPaths: func(integration, operation string) []string {
		if integration == "partner" && operation == "send" {
			return []string{"path"}
		}
		return nil
	}}
}

func loadPath(t *testing.T, with string) (*Engine, error) {
	t.Helper()
	src := "name: r\non: t\nsteps:\n  - id: a\n    call: partner.send\n    with: " + with + "\n"
	return LoadFiles(map[string][]byte{"r.yaml": []byte(src)}, pathOptions())
}

// renderPath loads a rule whose with is `with`, and renders its with.path.
func renderPath(t *testing.T, with string, payload any) (string, error) {
	t.Helper()
	e, err := loadPath(t, with)
	if err != nil {
		t.Fatal(err)
	}
	in := Input{Event: Event{Trigger: "t"}, Payload: payload}
	plan, err := e.Match(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.Render(plan.Rules[0].Steps[0].With, Scope{Input: in})
	if err != nil {
		return "", err
	}
	p, _ := out.(map[string]any)["path"].(string)
	return p, nil
}

func TestURLPathSegmentMode(t *testing.T) {
	tests := []struct {
		name, with string
		payload    any
		want       string
	}{
		{"literal kept", `{path: "/a;v=1/b@c/${{ payload.id }}"}`, map[string]any{"id": 7}, "/a;v=1/b@c/7"},
		{"slash, query and fragment encoded", `{path: "/orders/${{ payload.id }}/cancel"}`, map[string]any{"id": "5?force=true&all=1#"}, "/orders/5%3Fforce=true&all=1%23/cancel"},
		{"semicolon and percent encoded", `{path: "/o/${{ payload.id }}"}`, map[string]any{"id": "a;b/%2e"}, "/o/a%3Bb%2F%252e"},
		{"whole template is one segment", `{path: "${{ payload.id }}"}`, map[string]any{"id": "a/b"}, "a%2Fb"},
		{"number", `{path: "/n/${{ payload.id }}"}`, map[string]any{"id": 12345678901234.0}, "/n/12345678901234"},
		{"explicit path_segment not encoded twice", `{path: "/o/${{ path_segment(payload.id) }}"}`, map[string]any{"id": "a b"}, "/o/a%20b"},
		{"pipe", `{path: "/o/${{ payload.id | lower() }}"}`, map[string]any{"id": "A/B"}, "/o/a%2Fb"},
		{"trailing comment", `{path: "/o/${{ payload.id // the id }}"}`, map[string]any{"id": "x"}, "/o/x"},
		{"two values", `{path: "/${{ payload.a }}/${{ payload.b }}"}`, map[string]any{"a": "x/y", "b": "z"}, "/x%2Fy/z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := renderPath(t, tt.with, tt.payload)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("path = %q, want %q", got, tt.want)
			}
		})
	}
}

// Other fields, and other operations' path fields, render as before.
func TestURLPathOnlyDeclaredFields(t *testing.T) {
	e, err := loadPath(t, `{path: "/o/${{ payload.id }}", body: "${{ payload.id }}"}`)
	if err != nil {
		t.Fatal(err)
	}
	in := Input{Event: Event{Trigger: "t"}, Payload: map[string]any{"id": "a/b"}}
	plan, _ := e.Match(in)
	out, err := e.Render(plan.Rules[0].Steps[0].With, Scope{Input: in})
	if err != nil {
		t.Fatal(err)
	}
	if got := out.(map[string]any)["body"]; got != "a/b" {
		t.Errorf("body = %v, want a/b unencoded", got)
	}
}

func TestURLPathRefusesDotSegments(t *testing.T) {
	for _, id := range []any{"..", ".", "", nil, "a/../b", `..\x`, "/", "x/./y", "..;", "a/..;x/b"} {
		_, err := renderPath(t, `{path: "/orders/${{ payload.id }}/cancel"}`, map[string]any{"id": id})
		if err == nil || !strings.Contains(err.Error(), "with.path") || !strings.Contains(err.Error(), "path_segment") {
			t.Errorf("id %q: err = %v, want a refusal naming with.path", id, err)
		}
	}
}

func TestURLPathLiteralChecks(t *testing.T) {
	for with, want := range map[string]string{
		`{path: "/orders?force=1"}`:              "give query parameters in with.query",
		`{path: "/orders/${{ payload.id }}?x"}`:  "give query parameters in with.query",
		`{path: "/orders#top"}`:                  "cannot hold #",
		`{path: "/orders/../admin"}`:             `dot segment ".."`,
		`{path: "/${{ payload.id }}/../admin"}`:  `dot segment ".."`,
		`{path: "/orders/${{ payload.nope( }}"}`: "step a: with.path",
	} {
		_, err := loadPath(t, with)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", with, err, want)
		}
	}
}

// Whatever a value holds, path_segment gives one segment that decodes back
// to it, with nothing a URL parser or server reads as structure.
func FuzzPathSegment(f *testing.F) {
	for _, s := range []string{"42", "../admin", "5?force=true&all=1#", "..;/", "%2e%2e", `a\b`, "", "é ü", "/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		got, err := pathSegment(v)
		if err != nil {
			return
		}
		if strings.ContainsAny(got, "/?#\\; ") {
			t.Fatalf("path_segment(%q) = %q holds a structural character", v, got)
		}
		if dec, err := url.PathUnescape(got); err != nil || dec != v {
			t.Fatalf("path_segment(%q) = %q decodes to %q, %v", v, got, dec, err)
		}
		for _, part := range strings.FieldsFunc(v, func(r rune) bool { return r == '/' || r == '\\' }) {
			if dot, _, _ := strings.Cut(part, ";"); dot == "." || dot == ".." {
				t.Fatalf("path_segment(%q) passed a dot segment", v)
			}
		}
	})
}
