package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInit: `hookflow init DIR` writes a project that check and test pass
// on, with secrets of its own, and never overwrites.
func TestInit(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "p")
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"init", dir}, noEnv, &stdout, &stderr); err != nil {
		t.Fatalf("init: %v\n%s", err, &stderr)
	}
	for _, f := range []string{"hookflow.yaml", "rules/order-created.yaml", "rules/order-created_test.yaml", "events/order-created.json", "README.md", ".gitignore", ".schema/hookflow.schema.json", ".schema/rule.schema.json", ".schema/rule-test.schema.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("init wrote no %s", f)
		}
	}
	stdout.Reset()
	if err := run(context.Background(), []string{"check", "--project", dir}, noEnv, &stdout, &stderr); err != nil || !strings.HasPrefix(stdout.String(), "ok: 1 trigger(s), 1 integration(s), 1 rule(s)") {
		t.Fatalf("check: %v\n%s%s", err, &stdout, &stderr)
	}
	stdout.Reset()
	if err := run(context.Background(), []string{"test", "--project", dir}, noEnv, &stdout, &stderr); err != nil || !strings.HasSuffix(stdout.String(), "2 passed, 0 failed\n") {
		t.Fatalf("test: %v\n%s%s", err, &stdout, &stderr)
	}
	yml, _ := os.ReadFile(filepath.Join(dir, "hookflow.yaml"))
	for _, p := range initSecrets {
		if strings.Contains(string(yml), p) {
			t.Errorf("placeholder %s left in hookflow.yaml", p)
		}
	}
	other := filepath.Join(t.TempDir(), "q")
	if err := run(context.Background(), []string{"init", other}, noEnv, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if yml2, _ := os.ReadFile(filepath.Join(other, "hookflow.yaml")); bytes.Equal(yml, yml2) {
		t.Error("two projects got the same secrets")
	}

	// A second init changes nothing and says which file is in the way.
	rule := filepath.Join(dir, "rules", "order-created.yaml")
	if err := os.WriteFile(rule, []byte("# mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := run(context.Background(), []string{"init", dir}, noEnv, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("second init: %v", err)
	}
	if data, _ := os.ReadFile(rule); string(data) != "# mine\n" {
		t.Fatal("a second init overwrote a file")
	}
}

// TestSchemaCommand: `hookflow schema` prints each schema and --write writes them.
func TestSchemaCommand(t *testing.T) {
	for _, name := range []string{"", "rule", "rule-test"} {
		var stdout bytes.Buffer
		args := []string{"schema"}
		if name != "" {
			args = append(args, name)
		}
		if err := run(context.Background(), args, noEnv, &stdout, io.Discard); err != nil {
			t.Fatal(err)
		}
		var s struct {
			Schema string `json:"$schema"`
			Title  string `json:"title"`
		}
		if err := json.Unmarshal(stdout.Bytes(), &s); err != nil || !strings.Contains(s.Schema, "2020-12") || !strings.HasPrefix(s.Title, "Hookflow") {
			t.Fatalf("schema %s: %v %+v", name, err, s)
		}
	}
	dir := t.TempDir()
	if err := run(context.Background(), []string{"schema", "--write", dir}, noEnv, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*.schema.json")); len(m) != 3 {
		t.Fatalf("wrote %v", m)
	}
	if err := run(context.Background(), []string{"schema", "rules"}, noEnv, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "want hookflow, rule or rule-test") {
		t.Fatalf("err %v", err)
	}
}
