package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHookflowTest runs `hookflow test` on the shop sample's rule tests
// offline, with the integrations' default URLs (no variables set).
func TestHookflowTest(t *testing.T) {
	noEnv := func(string) (string, bool) { return "", false }
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"test", "--project", "../../samples/shop"}, noEnv, &stdout, &stderr)
	if err != nil {
		t.Fatalf("hookflow test: %v\nstdout:\n%s\nstderr:\n%s", err, &stdout, &stderr)
	}
	out := stdout.String()
	if !strings.HasSuffix(out, " passed, 0 failed\n") || strings.Contains(out, "FAIL") || strings.HasPrefix(out, "0 passed") {
		t.Errorf("output:\n%s", out)
	}

	t.Run("failure exits non-zero with a diff", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.CopyFS(dir, os.DirFS("../../samples/shop")); err != nil {
			t.Fatal(err)
		}
		test := filepath.Join(dir, "rules", "paid-order_test.yaml")
		data, err := os.ReadFile(test)
		if err != nil {
			t.Fatal(err)
		}
		broken := strings.Replace(string(data), "lastname: Snow", "lastname: Stark", 1)
		if broken == string(data) {
			t.Fatal("the sample test no longer pins lastname: Snow")
		}
		if err := os.WriteFile(test, []byte(broken), 0o644); err != nil {
			t.Fatal(err)
		}
		stdout.Reset()
		err = run(context.Background(), []string{"test", "--project", dir, "--run", "paid order creates"}, noEnv, &stdout, &stderr)
		if err != errReported {
			t.Fatalf("err = %v, want errReported (exit 1)\n%s", err, &stdout)
		}
		for _, want := range []string{
			"FAIL paid-order_test.yaml:",
			"paid-order/contact body.inputs[0].properties.lastname\n      expected: \"Stark\"\n      got:      \"Snow\"",
			"0 passed, 1 failed\n",
		} {
			if !strings.Contains(stdout.String(), want) {
				t.Errorf("output lacks %q:\n%s", want, &stdout)
			}
		}
	})
}
