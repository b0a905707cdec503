package devserver

import (
	"strings"
	"testing"
)

// TestHistoryQueuePoolsStaySmall: the embedded server's history task queues
// (transfer, timer, visibility, in-memory timers) run on pools of
// queueWorkers goroutines, not Temporal's 512 each, and replication, which
// it never does, on two. Counted as what a server's start adds, so that a
// server another test is still stopping does not count.
func TestHistoryQueuePoolsStaySmall(t *testing.T) {
	queue0, replication0 := schedulerWorkers(goroutineDump(t))
	startMemoryServer(t)
	queue1, replication1 := schedulerWorkers(goroutineDump(t))
	if queue1 == 0 {
		t.Fatal("no history queue worker found in the goroutine dump: the count is broken")
	}
	if n, want := queue1-queue0, 4*queueWorkers; n > want {
		t.Errorf("the server started %d history queue workers, want at most %d (%d for each of four queues)", n, want, queueWorkers)
	}
	if n := replication1 - replication0; n > 4 {
		t.Errorf("the server started %d replication workers, want at most 4", n)
	}
}

// schedulerWorkers counts the goroutines of Temporal's task schedulers in a
// goroutine dump: the history queues' and replication's.
func schedulerWorkers(dump string) (queue, replication int) {
	for _, g := range strings.Split(dump, "\n\n") {
		switch {
		case strings.Contains(g, "tasks.(*FIFOScheduler[...]).processTask("):
			queue++
		case strings.Contains(g, "tasks.(*SequentialScheduler[...]).pollTaskQueue("):
			replication++
		}
	}
	return queue, replication
}
