package triggers

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/hookflow/hookflow/triggers/verify"
)

// TestReadmeTriggersLoad keeps the README's per-provider example honest: it
// must load, and it must show every scheme.
func TestReadmeTriggersLoad(t *testing.T) {
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(data), "### One trigger per provider")
	if !ok {
		t.Fatal("README has no \"### One trigger per provider\" section")
	}
	_, block, _ := strings.Cut(section, "```yaml\n")
	block, _, _ = strings.Cut(block, "```")
	// The project loader expands ${NAME}; here every variable gets a value
	// each scheme accepts (standard needs whsec_ and base64).
	block = regexp.MustCompile(`\$\{[A-Z0-9_]+\}`).ReplaceAllString(block, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(block), &doc); err != nil {
		t.Fatalf("README example is not YAML: %v", err)
	}
	set, err := Load("README.md", doc.Content[0].Content[1])
	if err != nil {
		t.Fatalf("README example does not load:\n%v", err)
	}
	seen := map[string]bool{}
	for _, n := range set.Names() {
		tr, _ := set.Get(n)
		seen[tr.Verify.Scheme] = true
	}
	for _, s := range verify.Schemes() {
		if !seen[s] {
			t.Errorf("README example has no trigger with scheme %s", s)
		}
	}
}
