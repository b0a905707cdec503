package project

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestExpandEnv(t *testing.T) {
	src := `
a: ${SECRET}
b: "prefix-${SECRET}-${MISSING:-fallback}"
c: ${PORT}
${SECRET}: key stays
d: ${{ payload.x }}
e: ${NOPE}
`
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(src), &n); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"SECRET": "s3: {cr}et # not a comment", "PORT": "8080"}
	errs, _ := expandEnv("hookflow.yaml", &n, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "hookflow.yaml:7:4: environment variable NOPE is not set") {
		t.Fatalf("errors %v", errs)
	}
	var got struct {
		A string         `yaml:"a"`
		B string         `yaml:"b"`
		C int            `yaml:"c"`
		D string         `yaml:"d"`
		K map[string]any `yaml:",inline"`
	}
	if err := n.Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got.A != env["SECRET"] || got.B != "prefix-"+env["SECRET"]+"-fallback" || got.C != 8080 || got.D != "${{ payload.x }}" {
		t.Fatalf("expanded %+v", got)
	}
	if _, ok := got.K["${SECRET}"]; !ok {
		t.Fatalf("a key was expanded: %v", got.K)
	}
}
