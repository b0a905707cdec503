package main

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestCachedReadiness(t *testing.T) {
	var calls atomic.Int32
	var fail atomic.Bool
	clock := time.Unix(1_700_000_000, 0)
	r := newCachedReadiness(func(context.Context) error {
		calls.Add(1)
		time.Sleep(5 * time.Millisecond) // concurrent callers arrive while it runs
		if fail.Load() {
			return errors.New("temporal is not reachable")
		}
		return nil
	}, time.Second)
	r.now = func() time.Time { return clock }

	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := r.Ready(context.Background()); err != nil {
				t.Errorf("Ready: %v", err)
			}
		}()
	}
	wg.Wait()
	if n := calls.Load(); n != 1 {
		t.Fatalf("50 concurrent probes made %d checks, want 1", n)
	}

	fail.Store(true)
	clock = clock.Add(999 * time.Millisecond)
	if err := r.Ready(context.Background()); err != nil || calls.Load() != 1 {
		t.Fatalf("within the TTL: err %v, %d checks; want the cached answer", err, calls.Load())
	}
	clock = clock.Add(time.Millisecond)
	if err := r.Ready(context.Background()); err == nil || calls.Load() != 2 {
		t.Fatalf("after the TTL: err %v, %d checks; want a fresh failing check", err, calls.Load())
	}
	if err := r.Ready(context.Background()); err == nil || calls.Load() != 2 {
		t.Fatalf("a failure stands for the TTL too: err %v, %d checks", err, calls.Load())
	}

	// A caller that gives up does not cache its own cancellation.
	fail.Store(false)
	clock = clock.Add(time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r.check = func(ctx context.Context) error { calls.Add(1); return ctx.Err() }
	if err := r.Ready(ctx); err == nil {
		t.Fatal("a cancelled check answered ready")
	}
	r.check = func(context.Context) error { calls.Add(1); return nil }
	if err := r.Ready(context.Background()); err != nil {
		t.Fatalf("the next caller got the cancelled caller's answer: %v", err)
	}
}
