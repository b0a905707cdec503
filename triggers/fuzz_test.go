package triggers

import (
	"errors"
	"net/http"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/hookflow/hookflow/rules"
)

// Fuzz targets for the parsers of the payload path validator and of request
// bodies. Seeds are in testdata/fuzz/<target>; f.Add adds a few more.

// FuzzSchemaPath: the path parser never panics, and a path it accepts is
// exactly its segments joined back.
func FuzzSchemaPath(f *testing.F) {
	for _, p := range []string{"id", "data.customer.email", "items[*].sku", "a[*][*]", "[*]", "a..b", "a.*", ".", ""} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p string) {
		segs, err := splitPath(p)
		if err != nil {
			if !strings.Contains(err.Error(), "path") {
				t.Fatalf("error %q does not say which path is wrong", err)
			}
			return
		}
		var b strings.Builder
		for i, s := range segs {
			switch {
			case s == "*":
				if i == 0 || segs[i-1] == "*" {
					t.Fatalf("%q: list marker without a field: %q", p, segs)
				}
				b.WriteString("[*]")
			case s == "" || strings.ContainsAny(s, ".[]*"):
				t.Fatalf("%q: bad segment %q in %q", p, s, segs)
			default:
				if i > 0 {
					b.WriteByte('.')
				}
				b.WriteString(s)
			}
		}
		if b.String() != p {
			t.Fatalf("%q split into %q, which joins back to %q", p, segs, b.String())
		}
	})
}

// fuzzTags are the validator tags FuzzValidate checks payloads against. Tags
// come from hookflow.yaml and are checked at load; the payload is the
// untrusted input.
var fuzzTags = []string{
	"required", "required,email", "omitempty,email", "required,numeric", "required,gt=0",
	"min=1,max=3", "oneof=paid refunded", "len=2", "required,uuid", "dive,required", "url", "required,alphanum",
}

// FuzzValidate: validating any JSON payload against any accepted path never
// panics, and every failing field names where it is, the tag and what to fix.
func FuzzValidate(f *testing.F) {
	f.Add("items[*].sku", 0, []byte(`{"items":[{"sku":"a"},{},{"sku":null}]}`))
	f.Add("data.total", 4, []byte(`{"data":{"total":-1}}`))
	f.Add("a", 9, []byte(`{"a":"not a list"}`))
	f.Add("a.b[*]", 5, []byte(`{"a":{"b":[[1,2],{"x":1},"abcd"]}}`))
	f.Add("n", 3, []byte(`{"n":12345678901234567890123}`))
	f.Fuzz(func(t *testing.T, path string, tag int, payload []byte) {
		if tag < 0 {
			tag = -tag
		}
		tags := fuzzTags[tag%len(fuzzTags)]
		node := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
			{Kind: yaml.ScalarNode, Value: path}, {Kind: yaml.ScalarNode, Value: tags},
		}}
		s, errs := loadSchema(node)
		if len(errs) > 0 {
			return
		}
		v, err := rules.DecodeJSON(payload)
		if err != nil {
			return
		}
		got := s.Validate(v)
		first := strings.Split(strings.Split(path, ".")[0], "[")[0]
		for _, fe := range got {
			if !strings.HasPrefix(fe.Field, first) || fe.Tag == "" || !strings.Contains(fe.Message, fe.Field) {
				t.Fatalf("path %q tags %q: field error %+v does not say where and what", path, tags, fe)
			}
		}
		if !sort.SliceIsSorted(got, func(i, j int) bool { return got[i].Field < got[j].Field }) {
			t.Fatalf("field errors not sorted: %+v", got)
		}
	})
}

// FuzzDecodePayload: any Content-Type and body either decode or are a 400
// that says what to send; a form body always becomes a map.
func FuzzDecodePayload(f *testing.F) {
	f.Add(false, "application/json", []byte(`{"a":1}`))
	f.Add(false, "", []byte(`[1, 2.5, "x", null]`))
	f.Add(true, formType, []byte("command=%2Fdeploy&text=a+b&payload=%7B%22t%22%3A1%7D"))
	f.Add(true, formType+"; charset=utf-8", []byte("a=%zz&b"))
	f.Add(true, "multipart/form-data; boundary=x", []byte("--x--"))
	f.Add(false, "application/json; charset", []byte(`{}`))
	f.Fuzz(func(t *testing.T, form bool, contentType string, body []byte) {
		format := BodyJSON
		if form {
			format = BodyForm
		}
		v, err := decodePayload(format, contentType, body)
		if err != nil {
			var re *requestError
			if !errors.As(err, &re) || re.status != http.StatusBadRequest || !strings.Contains(re.msg, "send") && !strings.Contains(re.msg, "not valid") {
				t.Fatalf("error %T %v: want a 400 that says what to send", err, err)
			}
			return
		}
		if form {
			if _, ok := v.(map[string]any); !ok {
				t.Fatalf("form payload is %T, want a map", v)
			}
		}
	})
}
