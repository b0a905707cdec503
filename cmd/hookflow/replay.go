package main

import (
	"context"
	"errors"
	"fmt"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"

	"github.com/hookflow/hookflow/internal/codec"
	"github.com/hookflow/hookflow/rules"
	"github.com/hookflow/hookflow/triggers"
	"github.com/hookflow/hookflow/workflows"
)

type replayOptions struct {
	original bool
	dryRun   bool
	uiBase   string
	ns       string
}

func runReplay(ctx context.Context, e env, args []string) error {
	fs := newFlags(e, "replay", "(WORKFLOW_ID | --query '…') [flags]")
	tf := addTemporalFlags(fs, defaultTemporal)
	query := fs.String("query", "", "replay every failed run this visibility query finds, e.g. 'HookTrigger = \"shop-orders\"'")
	dryRun := fs.Bool("dry-run", false, "show what would be reused and re-run; start nothing")
	rulesFlag := fs.String("rules", "original", "original: the failed run's plan; current: match the current rules again")
	uiBase := fs.String("ui-url", "http://127.0.0.1:8233", "Web UI base URL for links")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *rulesFlag != "original" && *rulesFlag != "current" {
		return fmt.Errorf("--rules %q: want original or current", *rulesFlag)
	}
	if (fs.NArg() == 1) == (*query != "") {
		fs.Usage()
		return fmt.Errorf("replay needs one WORKFLOW_ID or --query")
	}
	c, err := dialOperator(e, tf)
	if err != nil {
		return err
	}
	defer c.Close()
	opts := replayOptions{original: *rulesFlag == "original", dryRun: *dryRun, uiBase: *uiBase, ns: c.Namespace}
	if *query == "" {
		if err := replayOne(ctx, e, c, fs.Arg(0), opts); !errors.Is(err, errSkipped) {
			return err
		}
		return nil
	}

	ids, err := failedRuns(ctx, c, c.Namespace, *query)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d failed run(s) match; %s\n", len(ids), map[bool]string{true: "dry run, nothing is started", false: "replaying (safe to interrupt and rerun: replayed runs are no longer failed)"}[*dryRun])
	var failed, skipped int
	for i, id := range ids {
		fmt.Fprintf(e.stdout, "[%d/%d] ", i+1, len(ids))
		switch err := replayOne(ctx, e, c, id, opts); {
		case errors.Is(err, errSkipped):
			skipped++
		case err != nil:
			failed++
			fmt.Fprintf(e.stdout, "%s: %v\n", id, err)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	verb := "replayed"
	if *dryRun {
		verb = "would be replayed"
	}
	fmt.Fprintf(e.stdout, "%d %s, %d skipped, %d could not be replayed\n", len(ids)-failed-skipped, verb, skipped, failed)
	if failed > 0 {
		return errReported
	}
	return nil
}

// errSkipped is a run replay leaves alone: its latest run did not fail.
var errSkipped = errors.New("skipped")

func failedRuns(ctx context.Context, c client.Client, ns, query string) ([]string, error) {
	q := fmt.Sprintf(`%s AND ExecutionStatus = "Failed" AND (%s)`, runTypesQuery(), query)
	var ids []string
	seen := map[string]bool{}
	var token []byte
	for {
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Namespace: ns, Query: q, PageSize: 100, NextPageToken: token})
		if err != nil {
			return nil, fmt.Errorf("list failed runs (query %q): %w", q, err)
		}
		for _, ex := range resp.GetExecutions() {
			if id := ex.GetExecution().GetWorkflowId(); !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			return ids, nil
		}
	}
}

// replayOne re-runs the latest run of wfID if it failed.
func replayOne(ctx context.Context, e env, c *operator, wfID string, o replayOptions) error {
	desc, err := c.DescribeWorkflowExecution(ctx, wfID, "")
	if err != nil {
		return fmt.Errorf("find %s: %w", wfID, err)
	}
	info := desc.GetWorkflowExecutionInfo()
	switch info.GetStatus() {
	case enumspb.WORKFLOW_EXECUTION_STATUS_FAILED:
	case enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED:
		return fmt.Errorf("%s was canceled by an operator; replaying it would undo that cancel. To run the event anyway, have the sender deliver it again under a new id", wfID)
	default:
		fmt.Fprintf(e.stdout, "%s: skipped, its latest run is %s (only failed runs are replayed)\n", wfID, statusWord(info.GetStatus()))
		return errSkipped
	}
	runID := info.GetExecution().GetRunId()
	in, res, err := failedRun(ctx, c.Client, c.DataConverter, wfID, runID)
	if err != nil {
		return err
	}
	in.Replay = &workflows.Replay{FromRunID: runID, Done: map[string]map[string]rules.StepState{}}
	if o.original {
		in.Replay.Plan = res.Plan
	}
	for _, r := range res.Rules {
		in.Replay.Done[r.Name] = r.Steps
	}
	if o.dryRun {
		printReplayPlan(e, wfID, res)
		return nil
	}
	ev := in.Event.Event
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                                       wfID,
		TaskQueue:                                workflows.TaskQueue,
		WorkflowIDReusePolicy:                    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
		WorkflowIDConflictPolicy:                 enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
		StaticSummary:                            fmt.Sprintf("replay of %s · %s · %s", runID, ev.Trigger, ev.Type),
		WorkflowTaskTimeout:                      workflows.WorkflowTaskTimeout,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			workflows.AttrTrigger.ValueSet(ev.Trigger),
			workflows.AttrEventType.ValueSet(ev.Type),
			workflows.AttrEventID.ValueSet(ev.ID),
			workflows.AttrStatus.ValueSet(workflows.StatusRunning),
		),
	}, workflows.WorkflowName, in)
	if err != nil {
		return fmt.Errorf("start replay of %s: %w", wfID, err)
	}
	fmt.Fprintf(e.stdout, "%s: replaying failed run %s as %s %s\n", wfID, runID, run.GetRunID(), triggers.RunURL(o.uiBase, o.ns, wfID, run.GetRunID()))
	return nil
}

// failedRun reads a failed run's input and result from its history, with
// dc: the data converter the run was written with (the codec's, when the
// project encrypts).
func failedRun(ctx context.Context, c client.Client, dc converter.DataConverter, wfID, runID string) (workflows.Input, workflows.Result, error) {
	var in workflows.Input
	var res workflows.Result
	var gotIn, gotRes bool
	it := c.GetWorkflowHistory(ctx, wfID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return in, res, fmt.Errorf("history of %s: %w", wfID, err)
		}
		if a := ev.GetWorkflowExecutionStartedEventAttributes(); a != nil {
			if err := dc.FromPayloads(a.GetInput(), &in); err != nil {
				if encrypted(a.GetInput()) {
					return in, res, fmt.Errorf("%s: the run is encrypted; set %s to the project's encryption keys: %w", wfID, codecKeysEnv, err)
				}
				return in, res, fmt.Errorf("%s: read input: %w", wfID, err)
			}
			gotIn = true
		}
		if a := ev.GetWorkflowExecutionFailedEventAttributes(); a != nil {
			if d := a.GetFailure().GetApplicationFailureInfo().GetDetails(); d != nil {
				gotRes = dc.FromPayloads(d, &res) == nil
			}
		}
	}
	if !gotIn || !gotRes {
		return in, res, errors.New(wfID + ": the failed run records no step results (it failed before running steps); send the event again instead")
	}
	return in, res, nil
}

func printReplayPlan(e env, wfID string, res workflows.Result) {
	fmt.Fprintf(e.stdout, "%s: would replay\n", wfID)
	for _, r := range res.Rules {
		if res.Plan == nil {
			continue
		}
		for _, pr := range res.Plan.Rules {
			if pr.Name != r.Name {
				continue
			}
			for _, s := range pr.Steps {
				what := "run again (same idempotency key)"
				if r.Steps[s.ID].Status == "succeeded" {
					what = "reuse output, not called"
				}
				fmt.Fprintf(e.stdout, "  rule %s step %s: %s\n", r.Name, s.ID, what)
			}
		}
	}
}

// encrypted reports whether payloads were written by hookflow's codec.
func encrypted(ps *commonpb.Payloads) bool {
	for _, p := range ps.GetPayloads() {
		if string(p.GetMetadata()[converter.MetadataEncoding]) == codec.Encoding {
			return true
		}
	}
	return false
}
