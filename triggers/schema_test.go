package triggers

import (
	"reflect"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/hookflow/hookflow/rules"
)

func mustSchema(t *testing.T, src string) *Schema {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(src), &n); err != nil {
		t.Fatal(err)
	}
	s, errs := loadSchema(n.Content[0])
	if len(errs) > 0 {
		t.Fatalf("load schema: %v", errs[0].msg)
	}
	return s
}

func TestSchemaValidate(t *testing.T) {
	s := mustSchema(t, `
id: required
email: required,email
data.total: required,gt=0
items[*].sku: required
`)
	cases := []struct {
		name    string
		payload string
		want    []string // field:tag
	}{
		{"valid", `{"id":1,"email":"a@b.co","data":{"total":3},"items":[{"sku":"x"},{"sku":"y"}]}`, nil},
		{"missing everything", `{}`, []string{"data.total:required", "email:required", "id:required"}},
		{"bad values", `{"id":"x","email":"nope","data":{"total":-1},"items":[{"sku":"x"},{}]}`, []string{"data.total:gt=0", "email:email", "items[1].sku:required"}},
		{"wrong shapes", `{"id":1,"email":"a@b.co","data":"flat","items":{"sku":"x"}}`, []string{"data.total:required"}},
		{"not an object", `[1,2]`, []string{"data.total:required", "email:required", "id:required"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			payload, err := rules.DecodeJSON([]byte(tc.payload))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, fe := range s.Validate(payload) {
				got = append(got, fe.Field+":"+fe.Tag)
				if fe.Message == "" {
					t.Errorf("%s has no message", fe.Field)
				}
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSchemaLoadErrors(t *testing.T) {
	cases := map[string]string{
		"bad tag":     "email: required,emial\n",
		"bad path":    "items[0].sku: required\n",
		"empty tags":  "id: ''\n",
		"not mapping": "- id\n",
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			var n yaml.Node
			if err := yaml.Unmarshal([]byte(src), &n); err != nil {
				t.Fatal(err)
			}
			if _, errs := loadSchema(n.Content[0]); len(errs) == 0 {
				t.Fatalf("schema %q loaded; want an error", src)
			}
		})
	}
}
