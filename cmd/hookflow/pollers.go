package main

import (
	"fmt"
	"strconv"
	"strings"

	"go.temporal.io/sdk/worker"
)

// pollersFlagHelp is the --pollers flag's help, shared by worker and dev.
const pollersFlagHelp = `pollers per task kind: "auto" scales them from Temporal's feedback (the SDK's poller autoscaling), a number (at least 2) fixes the most`

// pollerBehavior turns --pollers into the SDK's poller behaviour for
// workflow and activity tasks. Temporal's default of two fixed workflow
// pollers held a worker to about 36 delivered events/s against a cluster
// (README "Performance"); autoscaling doubled that.
func pollerBehavior(v string) (worker.PollerBehavior, error) {
	v = strings.TrimSpace(v)
	if strings.EqualFold(v, "auto") || v == "" {
		return worker.NewPollerBehaviorAutoscaling(worker.PollerBehaviorAutoscalingOptions{}), nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 2 {
		return nil, fmt.Errorf(`--pollers %q: give "auto" or a number of at least 2 (workflow pollers alternate between a worker's sticky queue and the shared one)`, v)
	}
	return worker.NewPollerBehaviorSimpleMaximum(worker.PollerBehaviorSimpleMaximumOptions{MaximumNumberOfPollers: n}), nil
}
