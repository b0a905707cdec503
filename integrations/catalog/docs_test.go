package catalog

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/hookflow/hookflow/integrations"
	"github.com/hookflow/hookflow/integrations/internal/tokentest"
)

// The examples in docs/integrations.md load, and their rule steps call
// operations that exist with every required field, so the documentation
// cannot drift from the kinds.
func TestDocsExamples(t *testing.T) {
	doc, err := os.ReadFile("../../docs/integrations.md")
	if err != nil {
		t.Fatal(err)
	}
	// Environment variables are expanded before Load sees a value.
	env := regexp.MustCompile(`\$\{([A-Z_]+)\}`)
	_, pemKey := tokentest.Key(t)
	// Multi-line values stand inside a quoted YAML string in the docs.
	quoted := func(s string) string { q := strconv.Quote(s); return q[1 : len(q)-1] }
	text := env.ReplaceAllStringFunc(string(doc), func(v string) string {
		switch name := v[2 : len(v)-1]; {
		case strings.HasSuffix(name, "_PRIVATE_KEY"):
			return quoted(pemKey)
		case name == "GOOGLE_SERVICE_ACCOUNT_JSON":
			return quoted(tokentest.ServiceAccount(t, "hookflow@acme-project.iam.gserviceaccount.com", "https://oauth2.googleapis.com/token"))
		case name == "TWILIO_ACCOUNT_SID":
			return "AC" + strings.Repeat("0", 32)
		case name == "PARTNER_SECRET":
			return "whsec_c2VjcmV0"
		// Kinds that check a credential's shape get one of that shape.
		case name == "STRIPE_SECRET_KEY":
			return "sk_test_docs0000"
		case name == "TELEGRAM_BOT_TOKEN":
			return "123456789:docs-token"
		case name == "MAILCHIMP_API_KEY":
			return "0123456789abcdef-us21"
		case strings.HasSuffix(name, "_URL"):
			return "https://hooks.example/services/T0/B0/secret"
		default:
			return "secret-" + strings.ToLower(name)
		}
	})
	blocks := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(text, -1)
	merged := &yaml.Node{Kind: yaml.MappingNode}
	var steps []*yaml.Node
	for _, b := range blocks {
		var root yaml.Node
		if err := yaml.Unmarshal([]byte(b[1]), &root); err != nil {
			t.Fatalf("docs example does not parse: %v\n%s", err, b[1])
		}
		m := root.Content[0]
		for i := 0; i+1 < len(m.Content); i += 2 {
			switch m.Content[i].Value {
			case "integrations":
				merged.Content = append(merged.Content, m.Content[i+1].Content...)
			case "steps":
				steps = append(steps, m.Content[i+1].Content...)
			}
		}
	}
	s, err := Load("docs/integrations.md", merged, nil)
	if err != nil {
		t.Fatalf("docs examples do not load:\n%v", err)
	}
	kindOf := map[string]string{}
	for i := 0; i+1 < len(merged.Content); i += 2 {
		kindOf[merged.Content[i].Value] = integrations.Child(merged.Content[i+1], "kind").Value
	}
	documented := map[string]bool{}
	for _, step := range steps {
		var st struct {
			Call string         `yaml:"call"`
			With map[string]any `yaml:"with"`
		}
		if err := step.Decode(&st); err != nil {
			t.Fatal(err)
		}
		integration, op, _ := strings.Cut(st.Call, ".")
		required, err := s.Check(integration, op)
		if err != nil {
			t.Errorf("docs step %s: %v", st.Call, err)
			continue
		}
		for _, f := range required {
			if _, ok := st.With[f]; !ok {
				t.Errorf("docs step %s lacks required with.%s", st.Call, f)
			}
		}
		documented[kindOf[integration]+"."+op] = true
	}
	for _, k := range Kinds() {
		if !strings.Contains(text, "\n## "+k+"\n") || !strings.Contains(text, "[`"+k+"`](#"+k+")") {
			t.Errorf("kind %s has no section or table row in docs/integrations.md", k)
		}
	}
	// Every operation of every kind has a rule example.
	for i := 0; i+1 < len(merged.Content); i += 2 {
		v := merged.Content[i+1]
		kind := integrations.Child(v, "kind").Value
		in, err := kinds[kind](v)
		if err != nil {
			t.Fatal(err)
		}
		for op := range in.Operations {
			if !documented[kind+"."+op] {
				t.Errorf("%s.%s has no rule example in docs/integrations.md", kind, op)
			}
		}
	}
}
