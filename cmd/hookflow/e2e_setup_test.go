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

const cloudProject = `
rules: ./rules
search_attributes:
  CloudProbeKey: payload.key
triggers:
  probe:
    verify: { scheme: bearer, secret: probe-token }
`

// TestSetupOnCloudPrintsTcld: where attributes are managed with Cloud's
// tools, setup prints the exact tcld command for what is missing and fails
// until it has been run; then it checks and succeeds.
func TestSetupOnCloudPrintsTcld(t *testing.T) {
	f := getFixture(t)
	dir := t.TempDir()
	if err := writeProject(dir, cloudProject, nil); err != nil {
		t.Fatal(err)
	}
	var out, errOut syncBuffer
	err := run(context.Background(), []string{"setup", "--cloud", "--temporal", f.temporal.Addr(), "--project", dir}, mapEnv(nil), &out, &errOut)
	want := "tcld namespace search-attributes add --namespace default \\\n    --search-attribute CloudProbeKey=Keyword"
	if err == nil || !strings.Contains(out.String(), want) || strings.Contains(out.String(), "HookTrigger=") {
		t.Fatalf("setup --cloud with a missing attribute: %v\n%s\nwant the tcld command for CloudProbeKey only", err, out.String())
	}
	// An operator registers it (here with plain setup), and setup --cloud is content.
	if err := run(context.Background(), []string{"setup", "--temporal", f.temporal.Addr(), "--project", dir}, mapEnv(nil), &out, &errOut); err != nil {
		t.Fatal(err)
	}
	out = syncBuffer{}
	if err := run(context.Background(), []string{"setup", "--cloud", "--temporal", f.temporal.Addr(), "--project", dir}, mapEnv(nil), &out, &errOut); err != nil || !strings.Contains(out.String(), "has every search attribute") {
		t.Fatalf("setup --cloud with everything registered: %v\n%s", err, out.String())
	}
}
