package devserver

import (
	"strings"
	"testing"
)

// TestHistoryQueuePoolsStaySmall: the embedded server's history task queues
// (transfer, timer, visibility, in-memory timers) run on pools of
// queueWorkers goroutines, not Temporal's 512 each, and replication, which
// it never does, on two.
func TestHistoryQueuePoolsStaySmall(t *testing.T) {
	startMemoryServer(t)
	var queue, replication int
	for _, g := range strings.Split(goroutineDump(t), "\n\n") {
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
