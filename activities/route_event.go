package activities

import (
	"context"
	"fmt"
	"strconv"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/activity"
)

// RouteInput is a correlated event to deliver to the runs waiting on its key.
type RouteInput struct {
	Key     string `json:"key"`
	Signal  string `json:"signal"` // the event's type
	Payload any    `json:"payload"`
	// Except is the routing run itself.
	Except string `json:"except"`
}

// RouteEvent signals every running run with the same correlation key, found
// through Visibility. Only runs started before correlation mailboxes call
// it; Visibility lags, which is why mailboxes replaced it.
func (a *Activities) RouteEvent(ctx context.Context, in RouteInput) (int, error) {
	if a.deps.Temporal == nil {
		return 0, fmt.Errorf("correlation needs a Temporal client on the worker")
	}
	ns := activity.GetInfo(ctx).WorkflowNamespace
	q := "HookCorrelationKey = " + strconv.Quote(in.Key) + ` AND ExecutionStatus = "Running" AND WorkflowId != ` + strconv.Quote(in.Except)
	n := 0
	var token []byte
	for {
		resp, err := a.deps.Temporal.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Namespace: ns, Query: q, PageSize: 100, NextPageToken: token})
		if err != nil {
			return n, fmt.Errorf("find runs correlated by %q: %w", in.Key, err)
		}
		for _, ex := range resp.GetExecutions() {
			if err := a.deps.Temporal.SignalWorkflow(ctx, ex.GetExecution().GetWorkflowId(), ex.GetExecution().GetRunId(), in.Signal, in.Payload); err != nil {
				activity.GetLogger(ctx).Warn("route correlated event", "workflow_id", ex.GetExecution().GetWorkflowId(), "error", err)
				continue // the run may have closed meanwhile
			}
			n++
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			return n, nil
		}
	}
}
