package main

import (
	"context"
	"fmt"
)

func runCancel(ctx context.Context, e env, args []string) error {
	fs := newFlags(e, "cancel", "WORKFLOW_ID [flags]")
	addr := fs.String("temporal", "127.0.0.1:7233", "Temporal frontend address")
	namespace := fs.String("namespace", "default", "Temporal namespace")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return fmt.Errorf("cancel needs the WORKFLOW_ID of a running run")
	}
	c, err := dialOperator(e, *addr, *namespace)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.CancelWorkflow(ctx, fs.Arg(0), ""); err != nil {
		return fmt.Errorf("cancel %s: %w", fs.Arg(0), err)
	}
	fmt.Fprintf(e.stdout, "cancellation requested for %s: waiting steps stop; steps already calling finish their attempt\n", fs.Arg(0))
	return nil
}
