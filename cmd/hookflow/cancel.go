package main

import (
	"context"
	"fmt"
	"strings"

	enumspb "go.temporal.io/api/enums/v1"
)

func runCancel(ctx context.Context, e env, args []string) error {
	fs := newFlags(e, "cancel", "WORKFLOW_ID [flags]")
	tf := addTemporalFlags(fs, defaultTemporal)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return fmt.Errorf("cancel needs the WORKFLOW_ID of a running run")
	}
	c, err := dialOperator(e, tf)
	if err != nil {
		return err
	}
	defer c.Close()
	wfID := fs.Arg(0)
	desc, err := c.DescribeWorkflowExecution(ctx, wfID, "")
	if err != nil {
		return fmt.Errorf("cancel %s: %w", wfID, err)
	}
	if st := desc.GetWorkflowExecutionInfo().GetStatus(); st != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		return fmt.Errorf("cancel %s: the run is already closed (%s); there is nothing to cancel", wfID, statusWord(st))
	}
	if err := c.CancelWorkflow(ctx, wfID, ""); err != nil {
		return fmt.Errorf("cancel %s: %w", wfID, err)
	}
	fmt.Fprintf(e.stdout, "cancellation requested for %s: it stops waiting, calls nothing new, runs its rules' on_cancel steps and ends CANCELED\n", wfID)
	return nil
}

// statusWord is a run status as operators read it: "completed", "canceled".
func statusWord(st enumspb.WorkflowExecutionStatus) string {
	return strings.ToLower(strings.TrimPrefix(st.String(), "WorkflowExecutionStatus"))
}
