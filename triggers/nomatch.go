package triggers

import (
	"context"
	"fmt"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/hookflow/hookflow/workflows"
)

// Ledger records an event no rule matched, durably, and returns the ledger
// that holds it. An event no rule wants needs no run; it is recorded in
// batches, so it costs a fraction of a run, and it stays findable
// (`hookflow runs --event-id`).
type Ledger interface {
	Record(ctx context.Context, trigger string, e workflows.NoMatchEntry) (Started, error)
}

// TemporalLedger appends no-match events to their trigger's ledger workflow
// for the hour (workflows.NoMatchLedger). Concurrent events share one
// signal: each waits at most MaxWait for others to join its batch, and is
// answered only once the batch's signal is durable in Temporal.
type TemporalLedger struct {
	Client LedgerClient
	// Namespace names the namespace in error messages.
	Namespace string
	// Timeout bounds recording a batch, retries included (default 5 s).
	Timeout time.Duration
	// MaxWait is how long an event waits for others to share its signal;
	// MaxBatch caps a batch. Zero values: 2 ms and 200.
	MaxWait  time.Duration
	MaxBatch int

	mu      sync.Mutex
	pending map[string]*ledgerBatch // ledger id → the batch being filled
}

var _ Ledger = (*TemporalLedger)(nil)

// LedgerClient is what a TemporalLedger needs of a Temporal client.
type LedgerClient interface {
	SignalWithStartWorkflow(ctx context.Context, workflowID, signalName string, signalArg any, options client.StartWorkflowOptions, workflow any, workflowArgs ...any) (client.WorkflowRun, error)
}

type ledgerBatch struct {
	id      string
	input   workflows.NoMatchInput
	entries []workflows.NoMatchEntry
	flushed bool
	timer   *time.Timer // flushes the batch after MaxWait unless it fills first
	done    chan struct{}
	started Started
	err     error
}

// Record adds e to the current batch of its ledger and waits until that
// batch is durable.
func (l *TemporalLedger) Record(ctx context.Context, trigger string, e workflows.NoMatchEntry) (Started, error) {
	id := workflows.NoMatchLedgerID(trigger, e.ReceivedAt)
	l.mu.Lock()
	if l.pending == nil {
		l.pending = map[string]*ledgerBatch{}
	}
	b := l.pending[id]
	if b == nil {
		hour := e.ReceivedAt.UTC().Truncate(time.Hour)
		b = &ledgerBatch{id: id, input: workflows.NoMatchInput{Trigger: trigger, Hour: hour}, done: make(chan struct{})}
		l.pending[id] = b
		b.timer = time.AfterFunc(l.maxWait(), func() { l.flush(b) })
	}
	b.entries = append(b.entries, e)
	full := len(b.entries) >= l.maxBatch()
	if full {
		// Closed now, not when flush gets the lock: events arriving in
		// between start the next batch instead of overfilling this one.
		delete(l.pending, id)
	}
	l.mu.Unlock()
	if full {
		go l.flush(b)
	}
	select {
	case <-b.done:
		return b.started, b.err
	case <-ctx.Done():
		return Started{}, errUnavailable{cause: ctx.Err()}
	}
}

// flush signals the batch to its ledger, once.
func (l *TemporalLedger) flush(b *ledgerBatch) {
	l.mu.Lock()
	if b.flushed {
		l.mu.Unlock()
		return
	}
	b.flushed = true
	b.timer.Stop()
	if l.pending[b.id] == b {
		delete(l.pending, b.id)
	}
	entries := b.entries
	l.mu.Unlock()
	timeout := l.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	opts := client.StartWorkflowOptions{
		ID:                       b.id,
		TaskQueue:                workflows.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		StaticSummary:            fmt.Sprintf("%s · events no rule matched, %s UTC", b.input.Trigger, b.input.Hour.Format("2006-01-02 15:00")),
		TypedSearchAttributes:    temporal.NewSearchAttributes(workflows.AttrTrigger.ValueSet(b.input.Trigger), workflows.AttrStatus.ValueSet(workflows.StatusNoMatch)),
	}
	// Signalling a batch twice records it twice, harmlessly; losing it would not be.
	var run client.WorkflowRun
	err := retryUnavailable(ctx, l.Namespace, func() (err error) {
		run, err = l.Client.SignalWithStartWorkflow(ctx, b.id, workflows.NoMatchSignal, entries, opts, workflows.NoMatchWorkflowName, b.input)
		return err
	})
	if err != nil {
		b.err = err
	} else {
		b.started = Started{WorkflowID: b.id, RunID: run.GetRunID(), NoMatch: true}
	}
	close(b.done)
}

func (l *TemporalLedger) maxWait() time.Duration {
	if l.MaxWait > 0 {
		return l.MaxWait
	}
	return 2 * time.Millisecond
}

func (l *TemporalLedger) maxBatch() int {
	if l.MaxBatch > 0 {
		return l.MaxBatch
	}
	return 200
}
