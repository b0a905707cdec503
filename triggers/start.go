package triggers

import (
	"context"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/grpc"

	"github.com/hookflow/hookflow/workflows"
)

// Starter hands an event to the workflow engine.
type Starter interface {
	Start(ctx context.Context, in workflows.Input) (Started, error)
}

// Started is the run an event belongs to.
type Started struct {
	WorkflowID string `json:"workflow_id"`
	RunID      string `json:"run_id"`
	// Duplicate is true when the event had already started a run: the sender retried.
	Duplicate bool `json:"duplicate"`
}

// WorkflowID is `<trigger>/<event id>`: a provider's retry of the same event
// lands on the same run.
func WorkflowID(trigger, eventID string) string { return trigger + "/" + eventID }

// TemporalStarter starts HandleEvent runs. Its client must be dialed with
// TrackStarts so it can tell a new run from a duplicate.
type TemporalStarter struct {
	Client client.Client
	// Eager starts the first workflow task on a worker in this process, saving a round trip.
	Eager bool
	// Timeout bounds the start call; senders give up after a few seconds.
	Timeout time.Duration
}

var _ Starter = (*TemporalStarter)(nil)

// Start starts the run, or finds the one this event already started.
func (s *TemporalStarter) Start(ctx context.Context, in workflows.Input) (Started, error) {
	timeout := s.Timeout
	if timeout == 0 {
		timeout = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	started := new(bool)
	ctx = context.WithValue(ctx, startedKey{}, started)
	ev := in.Event.Event
	id := WorkflowID(ev.Trigger, ev.ID)
	attrs := []temporal.SearchAttributeUpdate{
		workflows.AttrTrigger.ValueSet(ev.Trigger),
		workflows.AttrEventType.ValueSet(ev.Type),
		workflows.AttrEventID.ValueSet(ev.ID),
		workflows.AttrStatus.ValueSet(startStatus(in)),
	}
	if in.Correlation != "" {
		attrs = append(attrs, workflows.AttrCorrelation.ValueSet(in.Correlation))
	}
	if in.Plan != nil {
		// Planned at the door: the run starts with what it would upsert.
		planned, _ := workflows.PlanAttributes(*in.Plan)
		attrs = append(attrs, planned...)
	}
	run, err := s.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       id,
		TaskQueue:                workflows.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		EnableEagerStart:         s.Eager,
		WorkflowTaskTimeout:      workflows.WorkflowTaskTimeout,
		StaticSummary:            startSummary(in),
		TypedSearchAttributes:    temporal.NewSearchAttributes(attrs...),
	}, workflows.WorkflowName, in)
	if err != nil {
		return Started{}, errUnavailable{cause: err}
	}
	return Started{WorkflowID: id, RunID: run.GetRunID(), Duplicate: !*started}, nil
}

// startStatus is HookStatus at start: no-match when the door planned the
// event and no rule wants it (the run then sets nothing more), else running.
func startStatus(in workflows.Input) string {
	if in.Plan != nil && len(in.Plan.Rules) == 0 {
		return workflows.StatusNoMatch
	}
	return workflows.StatusRunning
}

// startSummary is the run's one line in the Web UI's list: trigger, event
// type, and the rules it runs — or "no rule matched", so such runs stand out.
func startSummary(in workflows.Input) string {
	ev := in.Event.Event
	s := ev.Trigger + " · " + ev.Type
	if in.Plan == nil {
		return s
	}
	if len(in.Plan.Rules) == 0 {
		return s + " · no rule matched"
	}
	names := make([]string, len(in.Plan.Rules))
	for i, r := range in.Plan.Rules {
		names[i] = r.Name
	}
	return s + " · " + strings.Join(names, ", ")
}

type startedKey struct{}

// TrackStarts is a gRPC dial option for the Temporal client used by a
// TemporalStarter: it reads StartWorkflowExecutionResponse.Started, which the
// SDK does not surface, so a duplicate delivery can be reported as such.
func TrackStarts() grpc.DialOption {
	return grpc.WithChainUnaryInterceptor(func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		err := invoker(ctx, method, req, reply, cc, opts...)
		if flag, ok := ctx.Value(startedKey{}).(*bool); ok && err == nil {
			if resp, ok := reply.(*workflowservice.StartWorkflowExecutionResponse); ok {
				*flag = resp.GetStarted()
			}
		}
		return err
	})
}
