package triggers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

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
	// NoMatch is true when no rule wanted the event: it started no run and
	// is recorded in its trigger's no-match ledger (WorkflowID).
	NoMatch bool `json:"no_match,omitempty"`
}

// WorkflowID is `<trigger>/<event id>`: a provider's retry of the same event
// lands on the same run. The id is percent-encoded where gRPC metadata,
// which carries the workflow id, cannot hold it (control characters,
// non-ASCII; and '%' itself, so two ids never meet), and hashed when the
// encoding outgrows the id limit. The event keeps its id as sent.
func WorkflowID(trigger, eventID string) string {
	enc := escapeID(eventID)
	if len(enc) > maxEventIDLen {
		sum := sha256.Sum256([]byte(eventID))
		enc = "sha256-" + hex.EncodeToString(sum[:])
	}
	return trigger + "/" + enc
}

func escapeID(id string) string {
	clean := true
	for i := 0; i < len(id); i++ {
		if c := id[i]; c < 0x20 || c > 0x7e || c == '%' {
			clean = false
			break
		}
	}
	if clean {
		return id
	}
	var b strings.Builder
	for i := 0; i < len(id); i++ {
		if c := id[i]; c < 0x20 || c > 0x7e || c == '%' {
			fmt.Fprintf(&b, "%%%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// maxSummary is Temporal's default limit on a run's summary
// (limit.userMetadataSummarySize), in bytes of the encoded payload; a
// search attribute value's is workflows.MaxAttributeValue.
const maxSummary = 400

// checkLimits refuses an event whose type or correlation key cannot be a
// search attribute value: no retry would ever change that.
func checkLimits(in workflows.Input) error {
	for _, f := range []struct{ what, value string }{{"event type", in.Event.Event.Type}, {"correlation key", in.Correlation}} {
		if n := encodedLen(f.value); n > workflows.MaxAttributeValue {
			return &requestError{status: http.StatusUnprocessableEntity, msg: fmt.Sprintf("the %s is %d bytes encoded; the workflow service keeps at most %d in a search attribute. Nothing was started; shorten it at the source or in the trigger's expression", f.what, n, workflows.MaxAttributeValue)}
		}
	}
	return nil
}

func encodedLen(s string) int {
	b, _ := json.Marshal(s)
	return len(b)
}

// fitSummary cuts the run's one line in the Web UI to Temporal's limit: it
// is for people, the event keeps its full type.
func fitSummary(s string) string {
	const room = maxSummary - 16 // the payload's quotes, escapes and "…"
	if encodedLen(s) <= room {
		return s
	}
	for encodedLen(s) > room {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s + "…"
}

// TemporalStarter starts HandleEvent runs. Its client must be dialed with
// TrackStarts so it can tell a new run from a duplicate.
type TemporalStarter struct {
	Client client.Client
	// Eager starts the first workflow task on a worker in this process, saving a round trip.
	Eager bool
	// Timeout bounds the start call, retries included: while Temporal is
	// briefly unavailable (a node failing over) the client retries within
	// it, then the answer is 503. Senders give up after a few seconds
	// (Shopify after 5), so keep it short. Default 5 s.
	Timeout time.Duration
	// Namespace names the namespace in error messages.
	Namespace string
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
	if err := checkLimits(in); err != nil {
		return Started{}, err
	}
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
	opts := client.StartWorkflowOptions{
		ID:                       id,
		TaskQueue:                workflows.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		EnableEagerStart:         s.Eager,
		WorkflowTaskTimeout:      workflows.WorkflowTaskTimeout,
		StaticSummary:            fitSummary(startSummary(in)),
		TypedSearchAttributes:    temporal.NewSearchAttributes(attrs...),
	}
	var run client.WorkflowRun
	err := retryUnavailable(ctx, s.Namespace, func() (err error) {
		run, err = s.Client.ExecuteWorkflow(ctx, opts, workflows.WorkflowName, in)
		return err
	})
	if err != nil {
		return Started{}, err
	}
	return Started{WorkflowID: id, RunID: run.GetRunID(), Duplicate: !*started}, nil
}

// retryUnavailable makes call until it succeeds, fails for a reason other
// than Temporal being unavailable, or ctx ends, and classifies its error.
// The client retries a call for half the time left, then gives up; a
// Temporal node failing over takes longer. Retrying a start is safe
// (USE_EXISTING), and nothing is acknowledged before Temporal accepts.
func retryUnavailable(ctx context.Context, namespace string, call func() error) error {
	backoff := 100 * time.Millisecond
	for {
		err := call()
		if err == nil {
			return nil
		}
		cerr := classifyStart(namespace, err)
		var unavailable errUnavailable
		if !errors.As(cerr, &unavailable) {
			return cerr
		}
		select {
		case <-ctx.Done():
			return cerr
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, time.Second)
	}
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
