package schema

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"

	"github.com/hookflow/hookflow/integrations"
	"github.com/hookflow/hookflow/internal/project"
	"github.com/hookflow/hookflow/internal/ruletest"
	"github.com/hookflow/hookflow/rules"
	"github.com/hookflow/hookflow/triggers/verify"
)

var update = flag.Bool("update", false, "rewrite the published schemas in schema/")

const published = "../../schema"

// TestPublishedSchemas: the repository's schema/ is what the Go types generate.
func TestPublishedSchemas(t *testing.T) {
	for name := range Files {
		got, err := Generate(name)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(published, name)
		if *update {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s is not what internal/schema generates (a field or an integration kind changed?): run go test ./internal/schema -update", path)
		}
	}
}

func compile(t *testing.T, name string) *jsonschema.Schema {
	t.Helper()
	data, err := Generate(name)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(name, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(name)
	if err != nil {
		t.Fatalf("%s does not compile: %v", name, err)
	}
	return s
}

// yamlDoc reads YAML as the JSON value an editor's language server sees.
func yamlDoc(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// schemaFor is the schema a project file is checked against.
func schemaFor(path string) string {
	switch {
	case filepath.Base(path) == project.FileName:
		return "hookflow.schema.json"
	case strings.HasSuffix(path, "_test.yaml"):
		return "rule-test.schema.json"
	}
	return "rule.schema.json"
}

// TestSamplesValidate: every file of every sample project, and of the
// project `hookflow init` writes, validates against its schema.
func TestSamplesValidate(t *testing.T) {
	schemas := map[string]*jsonschema.Schema{}
	for name := range Files {
		schemas[name] = compile(t, name)
	}
	var files []string
	for _, pattern := range []string{"../../samples/*/hookflow.yaml", "../../samples/*/rules/*.yaml", "../../cmd/hookflow/initproject/hookflow.yaml", "../../cmd/hookflow/initproject/rules/*.yaml"} {
		m, _ := filepath.Glob(pattern)
		files = append(files, m...)
	}
	if len(files) < 10 {
		t.Fatalf("found only %d project files", len(files))
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := schemas[schemaFor(f)].Validate(yamlDoc(t, data)); err != nil {
			t.Errorf("%s does not validate against %s:\n%v", f, schemaFor(f), err)
		}
	}
}

// TestBadFilesFail: the mistakes the loader rejects, the schema flags too.
func TestBadFilesFail(t *testing.T) {
	for _, tc := range []struct{ schema, name, doc string }{
		{"hookflow.schema.json", "misspelt section", "triger: {}\n"},
		{"hookflow.schema.json", "trigger without verify", "triggers: {a: {schema: {id: required}}}\n"},
		{"hookflow.schema.json", "unknown scheme", "triggers: {a: {verify: {scheme: sha}}}\n"},
		{"hookflow.schema.json", "misspelt trigger field", "triggers: {a: {verify: {scheme: none}, event_idd: x}}\n"},
		{"hookflow.schema.json", "bad duration", "triggers: {a: {verify: {scheme: none}, dedupe_window: 1 day}}\n"},
		{"hookflow.schema.json", "unknown kind", "integrations: {crm: {kind: hubspotx}}\n"},
		{"rule.schema.json", "no steps", "name: r\non: t\n"},
		{"rule.schema.json", "misspelt step field", "name: r\non: t\nsteps: [{id: a, cal: x.y}]\n"},
		{"rule.schema.json", "bad needs", "name: r\non: t\nsteps: [{id: a, call: x.y, needs: b}]\n"},
		{"rule-test.schema.json", "case without trigger", "tests: [{name: x, event: {payload: {}}}]\n"},
	} {
		if err := compile(t, tc.schema).Validate(yamlDoc(t, []byte(tc.doc))); err == nil {
			t.Errorf("%s: %q validates against %s", tc.name, tc.doc, tc.schema)
		}
	}
}

var knownRE = regexp.MustCompile(`\((?:known|want):? ([^)]*)\)`)

// loaderFields is the field list a loader's "unknown field" error gives.
func loaderFields(t *testing.T, err error, near string) []string {
	t.Helper()
	if err == nil {
		t.Fatalf("the loader accepted an unknown field (%s)", near)
	}
	for _, line := range strings.Split(err.Error(), "\n") {
		if strings.Contains(line, near) {
			if m := knownRE.FindStringSubmatch(line); m != nil {
				fields := strings.Split(m[1], ", ")
				slices.Sort(fields)
				return fields
			}
		}
	}
	t.Fatalf("no field list near %q in:\n%v", near, err)
	return nil
}

// schemaFields are the property names of a definition (or the root).
func schemaFields(t *testing.T, name, def string) []string {
	t.Helper()
	data, _ := Generate(name)
	var s struct {
		Properties map[string]any `json:"properties"`
		Defs       map[string]struct {
			Properties map[string]any `json:"properties"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	props := s.Properties
	if def != "" {
		d, ok := s.Defs[def]
		if !ok {
			t.Fatalf("%s has no definition %s", name, def)
		}
		props = d.Properties
	}
	var out []string
	for k := range props {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// yamlFields are a struct's yaml field names.
func yamlFields(v any) []string {
	var out []string
	for f := range reflect.TypeOf(v).Fields() {
		if n, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); n != "" && n != "-" {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

// TestFieldsMatchLoaders: each object's properties are the fields its
// loader accepts, read from the loaders' own "unknown field" messages (or
// the Go types they decode into), so neither can drift from the other.
func TestFieldsMatchLoaders(t *testing.T) {
	dir := t.TempDir()
	yml := "bogus_top: 1\ntriggers:\n  t:\n    verify: {scheme: none}\n    bogus_trigger: 1\n"
	if err := os.WriteFile(filepath.Join(dir, project.FileName), []byte(yml), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := project.Load(dir, func(string) (string, bool) { return "", false })
	rule := "name: r\non: t\nbogus_rule: 1\nsteps:\n  - id: a\n    bogus_step: 1\n    wait_for: {signal: s, bogus_wait: 1}\n    retry: {bogus_retry: 1}\n"
	_, rerr := rules.LoadFiles(map[string][]byte{"r.yaml": []byte(rule)}, rules.Options{})
	test := func(doc string) error {
		_, err := ruletest.Parse("t_test.yaml", []byte(doc))
		return err
	}
	for _, tc := range []struct {
		what        string
		loader      []string
		name, def   string
		schemaField []string
	}{
		{"hookflow.yaml", loaderFields(t, err, "bogus_top"), "hookflow.schema.json", "", nil},
		{"a trigger", loaderFields(t, err, "bogus_trigger"), "hookflow.schema.json", "Trigger", nil},
		{"verify", yamlFields(verify.Config{}), "hookflow.schema.json", "Verify", nil},
		{"retry", yamlFields(integrations.RetryPolicy{}), "hookflow.schema.json", "Retry", nil},
		{"health_check", yamlFields(integrations.HealthCheck{}), "hookflow.schema.json", "HealthCheck", nil},
		{"a rule", loaderFields(t, rerr, "bogus_rule"), "rule.schema.json", "", nil},
		{"a step", loaderFields(t, rerr, "bogus_step"), "rule.schema.json", "Step", nil},
		{"wait_for", loaderFields(t, rerr, "bogus_wait"), "rule.schema.json", "WaitFor", nil},
		{"a step's retry", loaderFields(t, rerr, "bogus_retry"), "rule.schema.json", "Retry", nil},
		{"a test file", loaderFields(t, test("bogus: 1\ntests: []\n"), "bogus"), "rule-test.schema.json", "", nil},
		{"a test case", loaderFields(t, test("tests:\n  - {name: n, trigger: t, event: {payload: {}}, bogus: 1}\n"), "bogus"), "rule-test.schema.json", "RuleTest", nil},
		{"a test event", loaderFields(t, test("tests:\n  - {name: n, trigger: t, event: {payload: {}, bogus: 1}}\n"), "bogus"), "rule-test.schema.json", "TestEvent", nil},
		{"expect", loaderFields(t, test("tests:\n  - {name: n, trigger: t, event: {payload: {}}, expect: {bogus: 1}}\n"), "bogus"), "rule-test.schema.json", "Expect", nil},
	} {
		if got := schemaFields(t, tc.name, tc.def); !slices.Equal(got, tc.loader) {
			t.Errorf("%s: the schema has %v, the loader takes %v", tc.what, got, tc.loader)
		}
	}
}
