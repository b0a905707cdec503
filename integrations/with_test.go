package integrations

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

func TestWith(t *testing.T) {
	w := With{
		"s": "text", "empty": "", "n": float64(42), "f": 1.5, "i": 7, "b": true, "null": nil,
		"m": map[string]any{"a": 1, "b": "x", "c": nil, "d": false}, "l": []any{"a", " b ", ""}, "csv": "vip, paid ,",
		"big": float64(1 << 60), "num": json.Number("12"), "intstr": " -3 ",
	}
	for _, tc := range []struct {
		name string
		got  func() (any, error)
		want any
		err  string
	}{
		{"String", func() (any, error) { return w.String("s") }, "text", ""},
		{"Bool", func() (any, error) { v, set, err := w.Bool("b"); return [2]bool{v, set}, err }, [2]bool{true, true}, ""},
		{"Bool unset", func() (any, error) { v, set, err := w.Bool("nope"); return [2]bool{v, set}, err }, [2]bool{false, false}, ""},
		{"Bool string", func() (any, error) { v, set, err := w.Bool("s"); return [2]bool{v, set}, err }, [2]bool{false, false}, "with.s must be true or false, got a string"},
		{"OneOf", func() (any, error) { return w.OneOf("s", "html", "text") }, "text", ""},
		{"OneOf unset", func() (any, error) { return w.OneOf("nope", "a") }, "", ""},
		{"OneOf other", func() (any, error) { return w.OneOf("s", "a", "b") }, "", "with.s must be one of a, b"},
		{"String missing", func() (any, error) { return w.String("nope") }, "", "with.nope is required"},
		{"String null", func() (any, error) { return w.String("null") }, "", "with.null is required"},
		{"String empty", func() (any, error) { return w.String("empty") }, "", "with.empty must not be empty"},
		{"String wrong type", func() (any, error) { return w.String("n") }, "", "with.n must be a string, got a number"},
		{"OptString missing", func() (any, error) { return w.OptString("nope") }, "", ""},
		{"OptString list", func() (any, error) { return w.OptString("l") }, "", "with.l must be a string, got a list"},
		{"ID number", func() (any, error) { return w.ID("n") }, "42", ""},
		{"ID int", func() (any, error) { return w.ID("i") }, "7", ""},
		{"ID json.Number", func() (any, error) { return w.ID("num") }, "12", ""},
		{"ID fraction", func() (any, error) { return w.ID("f") }, "", "with.f must be an id (a string or a whole number), got a number"},
		{"ID too big for float precision", func() (any, error) { return w.ID("big") }, "", "must be an id"},
		{"ID bool", func() (any, error) { return w.ID("b") }, "", "got a boolean"},
		{"ID dot-dot", func() (any, error) { return With{"x": ".."}.ID("x") }, "", `with.x must be an id, not ".."`},
		{"Int", func() (any, error) { return w.Int("n") }, int64(42), ""},
		{"Int from string", func() (any, error) { return w.Int("intstr") }, int64(-3), ""},
		{"Int fraction", func() (any, error) { return w.Int("f") }, int64(0), "with.f must be a whole number, got a number"},
		{"Int missing", func() (any, error) { return w.Int("nope") }, int64(0), "with.nope is required"},
		{"Map", func() (any, error) { return w.Map("m") }, w["m"], ""},
		{"Map wrong", func() (any, error) { return w.Map("s") }, map[string]any(nil), "with.s must be a mapping, got a string"},
		{"List", func() (any, error) { return w.List("l") }, w["l"], ""},
		{"Strings list", func() (any, error) { return w.Strings("l") }, []string{"a", "b"}, ""},
		{"Strings csv", func() (any, error) { return w.Strings("csv") }, []string{"vip", "paid"}, ""},
		{"Strings bad item", func() (any, error) { return With{"x": []any{"a", 1}}.Strings("x") }, []string(nil), "with.x[1] must be a string, got a number"},
		{"Scalars", func() (any, error) { return w.Scalars("m") }, map[string]string{"a": "1", "b": "x", "c": "", "d": "false"}, ""},
		{"Scalars nested", func() (any, error) { return With{"p": map[string]any{"k": []any{}}}.Scalars("p") }, map[string]string(nil), "with.p.k must be a string, number or boolean, got a list"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.got()
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %#v, want %#v", got, tc.want)
			}
		})
	}
	if err := (With{"email": "x", "propertys": 1}).Known("email", "properties"); err == nil || err.Error() != "with.propertys: unknown field (takes: email, properties)" {
		t.Errorf("Known = %v", err)
	}
}

func TestScalar(t *testing.T) {
	for in, want := range map[any]string{1250.5: "1250.5", float64(1e21): "1000000000000000000000", 3: "3", true: "true", "x": "x"} {
		if got, ok := Scalar(in); !ok || got != want {
			t.Errorf("Scalar(%v) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func TestDecodeJSON(t *testing.T) {
	var v struct{ ID string }
	if err := DecodeJSON(&Response{Status: 200, Body: []byte(`{"ID":"1"}`)}, &v); err != nil || v.ID != "1" {
		t.Errorf("DecodeJSON = %v, %+v", err, v)
	}
	if err := DecodeJSON(&Response{Status: 201, Body: []byte(`<html>`)}, &v); err == nil || !strings.HasPrefix(err.Error(), "HTTP 201: response body is not the expected JSON") {
		t.Errorf("DecodeJSON(html) = %v", err)
	}
	if err := DecodeJSON(&Response{Status: 200, Body: []byte(`{}`), Truncated: true}, &v); err == nil {
		t.Error("truncated body decoded")
	}
}

func TestBaseURL(t *testing.T) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte("kind: x\nbase_url: placeholder\n"), &doc); err != nil {
		t.Fatal(err)
	}
	n := doc.Content[0]
	for raw, want := range map[string]string{
		"":                               "https://api.vendor.example",
		"https://eu.vendor.example/api/": "https://eu.vendor.example/api",
		"http://127.0.0.1:8080":          "http://127.0.0.1:8080",
	} {
		u, err := BaseURL(n, raw, "https://api.vendor.example")
		if err != nil || u.String() != want {
			t.Errorf("BaseURL(%q) = %v, %v; want %s", raw, u, err, want)
		}
	}
	for raw, want := range map[string]string{
		"api.vendor.example":           "base_url must be an absolute http or https URL",
		"ftp://vendor.example":         "base_url must be an absolute http or https URL",
		"https://u:p@vendor.example":   "must not contain credentials",
		"https://vendor.example/?a=1":  "must not have a query",
		"https://vendor.example/#frag": "must not have a query or #fragment",
	} {
		_, err := BaseURL(n, raw, "")
		var ce *ConfigError
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("BaseURL(%q) = %v, want %q", raw, err, want)
		} else if !asConfigError(err, &ce) || ce.Line != 2 || ce.Column != 11 || ce.Field != "base_url" {
			t.Errorf("BaseURL(%q) position %+v", raw, ce)
		}
	}
}

func asConfigError(err error, ce **ConfigError) bool {
	c, ok := err.(*ConfigError)
	*ce = c
	return ok
}

func TestURL(t *testing.T) {
	base, _ := url.Parse("https://api.example/v1")
	if got := URL(base, "orders", "../admin?x=1#f", "a b", ".."); got != "https://api.example/v1/orders/..%2Fadmin%3Fx=1%23f/a%20b/%2E%2E" {
		t.Errorf("URL = %s", got)
	}
	if base.String() != "https://api.example/v1" {
		t.Error("URL changed its base")
	}
}

func TestLoopback(t *testing.T) {
	for raw, want := range map[string]bool{"http://127.0.0.1:1": true, "http://[::1]:1": true, "http://localhost": true, "https://10.0.0.1": false, "https://api.example": false} {
		u, _ := url.Parse(raw)
		if Loopback(u) != want {
			t.Errorf("Loopback(%s) = %v", raw, !want)
		}
	}
}

func TestClassifierHook(t *testing.T) {
	// A Classifier refines the status's *Error: here a vendor's body says
	// when to retry.
	srv := newLoopbackServer(t, 429, `{"retry_after": 2.5}`)
	op := &classifyingOp{base: srv}
	s := NewSet([]netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, &Integration{Name: "v", Kind: "test", Operations: map[string]Operation{"do": op}})
	_, err := s.Call(t.Context(), Call{Integration: "v", Operation: "do"})
	e, ok := err.(*Error)
	if !ok || !e.Retryable || e.RetryAfter != 2500*time.Millisecond || !strings.HasPrefix(e.Message, "v.do: HTTP 429") || !strings.HasSuffix(e.Message, "(classified)") {
		t.Fatalf("error %#v", err)
	}
}

func newLoopbackServer(t *testing.T, status int, body string) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

type classifyingOp struct{ base string }

func (*classifyingOp) Required() []string { return nil }
func (o *classifyingOp) Request(Call) (*Request, error) {
	return &Request{Method: http.MethodPost, URL: o.base}, nil
}
func (*classifyingOp) Output(*Response) (any, error) { return nil, nil }
func (*classifyingOp) Classify(r *Response, e *Error) *Error {
	var b struct {
		RetryAfter float64 `json:"retry_after"`
	}
	_ = json.Unmarshal(r.Body, &b)
	e.RetryAfter = time.Duration(b.RetryAfter * float64(time.Second))
	e.Message += " (classified)"
	return e
}

func TestBasicAuth(t *testing.T) {
	r := &http.Request{Header: http.Header{"Authorization": {BasicAuth("ck_1", "cs:2")}}}
	if u, p, ok := r.BasicAuth(); !ok || u != "ck_1" || p != "cs:2" {
		t.Errorf("BasicAuth round trip = %q, %q, %v", u, p, ok)
	}
}
