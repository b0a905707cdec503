//go:build unix

package procs

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// TestProcessCPUCountsWork spins until ProcessCPU has counted 50 ms more
// (on a busy machine the spin's wall time is longer than its CPU time,
// never shorter, so the spin and not the wall clock is the measure).
func TestProcessCPUCountsWork(t *testing.T) {
	before, ok := ProcessCPU()
	if !ok {
		t.Fatal("ProcessCPU: no CPU clock on a unix system")
	}
	start := time.Now()
	for {
		spin(5 * ms)
		after, _ := ProcessCPU()
		spent, wall := after-before, time.Since(start)
		if spent >= 50*ms {
			if limit := wall*time.Duration(runtime.NumCPU()) + 20*ms; spent > limit {
				t.Fatalf("%v of spinning counted as %v of CPU, more than %d CPUs can spend", wall, spent, runtime.NumCPU())
			}
			return
		}
		if wall > 10*time.Second {
			t.Fatalf("10 s of spinning counted as %v of CPU", spent)
		}
	}
}

// TestGovernorOnTheRuntime runs the Governor on this process's real
// scheduler: idle, it narrows to one P; a goroutine spinning on it widens
// it back to the runtime's default; stopping it leaves the default.
func TestGovernorOnTheRuntime(t *testing.T) {
	runtime.SetDefaultGOMAXPROCS()
	wide := runtime.GOMAXPROCS(0)
	if wide < 2 {
		t.Skipf("one CPU here (GOMAXPROCS %d): nothing to narrow", wide)
	}
	widths := make(chan int, 16)
	g := &Governor{Interval: 20 * ms, Calm: 200 * ms, changed: func(n int) { widths <- n }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { g.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	select {
	case n := <-widths:
		if n != 1 || runtime.GOMAXPROCS(0) != 1 {
			t.Fatalf("idle: changed to %d (GOMAXPROCS %d), want 1", n, runtime.GOMAXPROCS(0))
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("idle for 5 s: still GOMAXPROCS %d, want 1", runtime.GOMAXPROCS(0))
	}

	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-stop:
				return
			default:
				spin(ms)
			}
		}
	}()
	select {
	case n := <-widths:
		close(stop)
		if n != wide {
			t.Fatalf("busy: changed to %d, want the default %d", n, wide)
		}
	case <-time.After(5 * time.Second):
		close(stop)
		t.Fatalf("a spinning goroutine for 5 s: still GOMAXPROCS %d, want %d", runtime.GOMAXPROCS(0), wide)
	}

	// Narrow again, then stop: the default comes back.
	select {
	case <-widths:
	case <-time.After(5 * time.Second):
		t.Fatal("idle again for 5 s: did not narrow")
	}
	cancel()
	<-done
	if n := runtime.GOMAXPROCS(0); n != wide {
		t.Fatalf("after Run returned: GOMAXPROCS %d, want the default %d", n, wide)
	}
}

// spin uses the CPU for about d.
func spin(d time.Duration) {
	end := time.Now().Add(d)
	x := 0
	for time.Now().Before(end) {
		x++
	}
	_ = x
}

// TestOneGovernorAtATime: while one Governor changes the process's width,
// another returns at once, changing nothing; once the first stops, a new
// one governs.
func TestOneGovernorAtATime(t *testing.T) {
	runtime.SetDefaultGOMAXPROCS()
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skipf("one CPU here (GOMAXPROCS %d): a Governor returns at once anyway", runtime.GOMAXPROCS(0))
	}
	// govern starts a Governor on the runtime, waits until it marks
	// itself governing, and returns what stops it.
	govern := func(what string) (stop func()) {
		t.Helper()
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { (&Governor{Interval: 20 * ms}).Run(ctx); close(done) }()
		stop = func() { cancel(); <-done }
		deadline := time.Now().Add(2 * time.Second)
		for !governing.Load() {
			if time.Now().After(deadline) {
				stop()
				t.Fatalf("%s: not marked governing after 2 s", what)
			}
			time.Sleep(ms)
		}
		return stop
	}
	stop := govern("the first Governor")
	defer stop() // on a failure below; stopping twice is harmless
	var changed atomic.Bool
	returnsAtOnce(t, &Governor{Interval: ms, Calm: ms, changed: func(int) { changed.Store(true) }})
	if changed.Load() {
		t.Fatal("a second Governor changed the width while the first governs")
	}
	stop()
	if governing.Load() {
		t.Fatal("still marked governing after Run returned")
	}
	govern("a Governor started after the first stopped")()
}
