package main

import (
	"context"
	"fmt"
	"log/slog"

	enumspb "go.temporal.io/api/enums/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"

	"github.com/hookflow/hookflow/activities"
	"github.com/hookflow/hookflow/internal/codec"
	"github.com/hookflow/hookflow/internal/telemetry"
	"github.com/hookflow/hookflow/triggers"
	"github.com/hookflow/hookflow/workflows"
)

// dialTemporal is every client hookflow makes: base holds the connection
// (address, namespace, TLS, credentials: from temporalFlags, or the embedded
// server's); this adds the logger, metrics, start tracking and the codec. It
// connects lazily: serve starts, and answers 503, while Temporal is down.
// metrics may be nil (commands that only look things up), and enc (no
// encryption). With enc, payloads and failure messages are encrypted on the
// way into history and decrypted on the way out.
func dialTemporal(base client.Options, logger *slog.Logger, metrics *telemetry.Metrics, enc converter.PayloadCodec) (client.Client, error) {
	opts := base
	opts.Logger = sdklog.NewStructuredLogger(sdkLogger(logger))
	opts.MetricsHandler = metrics.SDKHandler()
	opts.ConnectionOptions.DialOptions = append(opts.ConnectionOptions.DialOptions, triggers.TrackStarts())
	if enc != nil {
		opts.DataConverter = codec.DataConverter(enc)
		opts.FailureConverter = codec.FailureConverter(opts.DataConverter)
	}
	c, err := client.NewLazyClient(opts)
	if err != nil {
		return nil, fmt.Errorf("temporal client for %s: %w", opts.HostPort, err)
	}
	return c, nil
}

// newWorker registers hookflow's workflow and activities under their public names.
func newWorker(c client.Client, acts *activities.Activities, opts worker.Options) worker.Worker {
	w := worker.New(c, workflows.TaskQueue, opts)
	workflows.Register(w)
	acts.Register(w)
	return w
}

// readiness: Temporal answers and a worker polls the hookflow task queue,
// checked at most once per readyTTL.
func readiness(c client.Client, namespace string) func(ctx context.Context) error {
	return newCachedReadiness(func(ctx context.Context) error {
		if _, err := c.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
			return fmt.Errorf("temporal is not reachable: %v", err)
		}
		resp, err := c.WorkflowService().DescribeTaskQueue(ctx, &workflowservice.DescribeTaskQueueRequest{
			Namespace:     namespace,
			TaskQueue:     &taskqueuepb.TaskQueue{Name: workflows.TaskQueue, Kind: enumspb.TASK_QUEUE_KIND_NORMAL},
			TaskQueueType: enumspb.TASK_QUEUE_TYPE_WORKFLOW,
		})
		if err != nil {
			return fmt.Errorf("describe task queue %s: %v", workflows.TaskQueue, err)
		}
		if len(resp.GetPollers()) == 0 {
			return fmt.Errorf("no worker polls task queue %q; start `hookflow worker`", workflows.TaskQueue)
		}
		return nil
	}, readyTTL).Ready
}
