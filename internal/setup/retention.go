package setup

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
)

// Retention is how long the namespace keeps closed runs. Workflow-id dedupe
// lasts exactly as long: a provider's redelivery of an event whose run was
// deleted starts a second run.
func Retention(ctx context.Context, c client.Client, namespace string) (time.Duration, error) {
	d, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: namespace})
	if err != nil {
		return 0, fmt.Errorf("describe namespace %s: %w", namespace, err)
	}
	return d.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration(), nil
}
