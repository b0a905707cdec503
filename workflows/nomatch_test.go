package workflows_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/hookflow/hookflow/workflows"
)

// TestNoMatchLedgerFindsAndCloses: the ledger answers for each event it
// received, and closes after its hour with its tally.
func TestNoMatchLedgerFindsAndCloses(t *testing.T) {
	env := ledgerEnv()
	hour := env.Now().UTC().Truncate(time.Hour)
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(workflows.NoMatchSignal, []workflows.NoMatchEntry{{EventID: "e1", Type: "ping"}, {EventID: "e2", Type: "ping"}})
	}, time.Minute)
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(workflows.NoMatchSignal, []workflows.NoMatchEntry{{EventID: "e3", Type: "ping", RulesVersion: "v9"}})
	}, 2*time.Minute)
	var found, missing *workflows.NoMatchEntry
	env.RegisterDelayedCallback(func() {
		if v, err := env.QueryWorkflow(workflows.NoMatchFindQuery, "e3"); err == nil {
			_ = v.Get(&found)
		}
		if v, err := env.QueryWorkflow(workflows.NoMatchFindQuery, "nope"); err == nil {
			_ = v.Get(&missing)
		}
	}, 3*time.Minute)
	env.ExecuteWorkflow(workflows.NoMatchWorkflowName, workflows.NoMatchInput{Trigger: "shop", Hour: hour})
	var res workflows.NoMatchResult
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if err := env.GetWorkflowResult(&res); err != nil || res.Entries != 3 {
		t.Fatalf("result %+v, %v; want 3 entries", res, err)
	}
	if found == nil || found.RulesVersion != "v9" || missing != nil {
		t.Fatalf("find e3 = %+v, find nope = %+v", found, missing)
	}
	if d := env.Now().Sub(hour); d < time.Hour {
		t.Fatalf("the ledger closed %s into its hour", d)
	}
}

// TestNoMatchLedgerIsBounded: a busy hour continues as new, counting the
// entries its earlier runs hold.
func TestNoMatchLedgerIsBounded(t *testing.T) {
	env := ledgerEnv()
	big := make([]workflows.NoMatchEntry, 20000)
	for i := range big {
		big[i] = workflows.NoMatchEntry{EventID: fmt.Sprint("e", i)}
	}
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(workflows.NoMatchSignal, big) }, time.Minute)
	env.ExecuteWorkflow(workflows.NoMatchWorkflowName, workflows.NoMatchInput{Trigger: "shop", Hour: env.Now().UTC().Truncate(time.Hour), Before: 7})
	var can *workflow.ContinueAsNewError
	if err := env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("ended with %v; want continue-as-new", err)
	}
}

// TestNoMatchLedgerCountsAnEventOnce: a provider that retries an event no
// rule wants (it did not see the 202) sends the same event id again; the
// ledger keeps its first entry and counts it once, whether the retry shares
// a batch with the first delivery or comes in a later one.
func TestNoMatchLedgerCountsAnEventOnce(t *testing.T) {
	env := ledgerEnv()
	hour := env.Now().UTC().Truncate(time.Hour)
	first := hour.Add(time.Minute)
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(workflows.NoMatchSignal, []workflows.NoMatchEntry{
			{EventID: "e1", Type: "ping", ReceivedAt: first}, {EventID: "e2", Type: "ping"}, {EventID: "e1", Type: "ping", ReceivedAt: first.Add(time.Second)}})
	}, time.Minute)
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(workflows.NoMatchSignal, []workflows.NoMatchEntry{{EventID: "e2", Type: "ping"}, {EventID: "e3", Type: "ping"}})
	}, 2*time.Minute)
	var found *workflows.NoMatchEntry
	env.RegisterDelayedCallback(func() {
		if v, err := env.QueryWorkflow(workflows.NoMatchFindQuery, "e1"); err == nil {
			_ = v.Get(&found)
		}
	}, 3*time.Minute)
	env.ExecuteWorkflow(workflows.NoMatchWorkflowName, workflows.NoMatchInput{Trigger: "shop", Hour: hour})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var res workflows.NoMatchResult
	if err := env.GetWorkflowResult(&res); err != nil || res.Entries != 3 {
		t.Fatalf("result %+v, %v; want 3 entries (e1, e2, e3 once each)", res, err)
	}
	if found == nil || !found.ReceivedAt.Equal(first) {
		t.Fatalf("find e1 = %+v; want its first delivery, received at %s", found, first)
	}
}

// ledgerEnv is a test environment with hookflow's workflows registered.
func ledgerEnv() *testsuite.TestWorkflowEnvironment {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.SetWorkerOptions(testWorkerOptions())
	workflows.Register(env)
	return env
}
