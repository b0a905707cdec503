package main

import (
	"context"
	"strings"
	"testing"

	"go.temporal.io/api/workflowservice/v1"
)

const setupProject = `
rules: ./rules
search_attributes:
  SetupProbeKey: payload.key
  SetupProbeN: { type: int, value: payload.n }
triggers:
  probe:
    verify: { scheme: bearer, secret: probe-token }
`

// TestSetupWaitsUntilAttributesAreUsable: when setup returns, a query on
// each attribute it added works at once; a frontend that has not yet
// refreshed its namespace cache would refuse it.
func TestSetupWaitsUntilAttributesAreUsable(t *testing.T) {
	f := getFixture(t)
	dir := t.TempDir()
	if err := writeProject(dir, setupProject, nil); err != nil {
		t.Fatal(err)
	}
	var out, errOut syncBuffer
	if err := run(context.Background(), []string{"setup", "--temporal", f.temporal.Addr(), "--project", dir}, mapEnv(nil), &out, &errOut); err != nil {
		t.Fatalf("setup: %v\n%s%s", err, out.String(), errOut.String())
	}
	for _, q := range []string{`SetupProbeKey = "x"`, `SetupProbeN = 1`} {
		if _, err := f.client.WorkflowService().CountWorkflowExecutions(context.Background(), &workflowservice.CountWorkflowExecutionsRequest{Namespace: "default", Query: q}); err != nil {
			t.Fatalf("right after setup returned, %q: %v\nsetup said:\n%s", q, err, out.String())
		}
	}
	if !strings.Contains(out.String(), "SetupProbeKey") {
		t.Fatalf("setup did not say what it registered:\n%s", out.String())
	}
}
