package triggers

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/hookflow/hookflow/workflows"
)

// ledgerClient records each signal's batch and whether it was "durable"
// (returned) when a Record returned.
type ledgerClient struct {
	mu      sync.Mutex
	batches map[string][][]workflows.NoMatchEntry
	fail    error
	delay   time.Duration
}

type fakeRun struct{ client.WorkflowRun }

func (fakeRun) GetRunID() string { return "run-1" }

func (c *ledgerClient) SignalWithStartWorkflow(_ context.Context, id, signal string, arg any, opts client.StartWorkflowOptions, wf any, _ ...any) (client.WorkflowRun, error) {
	time.Sleep(c.delay)
	if c.fail != nil {
		return nil, c.fail
	}
	if signal != workflows.NoMatchSignal || wf != workflows.NoMatchWorkflowName || opts.ID != id {
		return nil, fmt.Errorf("unexpected signal-with-start %s %s %v", signal, wf, opts.ID)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.batches[id] = append(c.batches[id], arg.([]workflows.NoMatchEntry))
	return fakeRun{}, nil
}

// TestLedgerBatchesConcurrentEvents: concurrent no-match events share
// signals, each is answered only after its batch's signal returned, and
// every event is in exactly one batch of its trigger's hourly ledger.
func TestLedgerBatchesConcurrentEvents(t *testing.T) {
	c := &ledgerClient{batches: map[string][][]workflows.NoMatchEntry{}, delay: 5 * time.Millisecond}
	l := &TemporalLedger{Client: c, MaxWait: 20 * time.Millisecond, MaxBatch: 16}
	at := time.Date(2026, 11, 29, 9, 30, 0, 0, time.UTC)
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			st, err := l.Record(context.Background(), "shop", workflows.NoMatchEntry{EventID: fmt.Sprint("e", i), ReceivedAt: at})
			if err != nil || !st.NoMatch || st.WorkflowID != "nomatch/shop/2026-11-29T09" || st.RunID != "run-1" {
				t.Errorf("record %d: %+v, %v", i, st, err)
			}
		})
	}
	wg.Wait()
	batches := c.batches["nomatch/shop/2026-11-29T09"]
	seen := map[string]int{}
	for _, b := range batches {
		if len(b) > 16 {
			t.Errorf("a batch of %d, over MaxBatch", len(b))
		}
		for _, e := range b {
			seen[e.EventID]++
		}
	}
	if len(seen) != 50 || len(batches) >= 50 {
		t.Fatalf("%d events in %d signals; want all 50, batched", len(seen), len(batches))
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("%s recorded %d times", id, n)
		}
	}
}

// TestLedgerFailureIsUnavailable: when the signal fails, every event of the
// batch gets a 503-class error, so its sender retries.
func TestLedgerFailureIsUnavailable(t *testing.T) {
	l := &TemporalLedger{Client: &ledgerClient{fail: errors.New("frontend down")}, Timeout: 300 * time.Millisecond}
	_, err := l.Record(context.Background(), "shop", workflows.NoMatchEntry{EventID: "e1", ReceivedAt: time.Now()})
	var ue errUnavailable
	if !errors.As(err, &ue) {
		t.Fatalf("error %v; want errUnavailable", err)
	}
}
