package project

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestFingerprintSeesRuleEdits(t *testing.T) {
	dir := t.TempDir()
	rules := filepath.Join(dir, "rules")
	if err := os.MkdirAll(rules, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("hookflow.yaml", "rules: ./rules\n")
	a := fingerprint(dir)
	write("rules/r.yaml", "name: r\n")
	b := fingerprint(dir)
	write("rules/r.yaml", "name: s\n")
	c := fingerprint(dir)
	if a == b || b == c || a == c {
		t.Fatalf("fingerprints did not change with edits: %s %s %s", a, b, c)
	}
	if fingerprint(dir) != c {
		t.Fatal("fingerprint is not stable")
	}
}

func TestWatchRejectsBrokenEdit(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "rules"), 0o755); err != nil {
		t.Fatal(err)
	}
	getenv := func(string) (string, bool) { return "", false }
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte("triggers: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := Load(dir, getenv)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rejected := make(chan error, 1)
	go Watch(ctx, p, getenv, 10*time.Millisecond,
		func(*Project) { t.Error("a broken project was applied") },
		func(err error) { rejected <- err })
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte("triggers: {}\nbogus: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-rejected:
		if err == nil {
			t.Fatal("nil error")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the broken edit was not reported")
	}
}
