package devserver

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"runtime/pprof"
	"strings"
	"testing"
)

// TestHistoryQueuePoolsStaySmall: the embedded server's history task queues
// (transfer, timer, visibility, in-memory timers) run on pools of
// queueWorkers goroutines, not Temporal's 512 each, and replication, which
// it never does, on two.
func TestHistoryQueuePoolsStaySmall(t *testing.T) {
	s, err := Start(context.Background(), Options{UIPort: -1, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	var dump bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&dump, 2); err != nil {
		t.Fatal(err)
	}
	var queue, replication int
	for _, g := range strings.Split(dump.String(), "\n\n") {
		switch {
		case strings.Contains(g, "tasks.(*FIFOScheduler[...]).processTask("):
			queue++
		case strings.Contains(g, "tasks.(*SequentialScheduler[...]).pollTaskQueue("):
			replication++
		}
	}
	if queue == 0 {
		t.Fatal("no history queue worker found in the goroutine dump: the count is broken")
	}
	if want := 4 * queueWorkers; queue > want {
		t.Errorf("%d history queue workers, want at most %d (%d for each of four queues)", queue, want, queueWorkers)
	}
	if replication > 4 {
		t.Errorf("%d replication workers, want at most 4", replication)
	}
}
