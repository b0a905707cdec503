package bench

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Shape is how events are sent: open loop at a fixed rate (each event has
// an intended send time, and its latency counts from it, so a stalled
// target cannot hide its stall by slowing the sender: no coordinated
// omission), or closed loop at a fixed number of senders that each wait for
// their answer. Either way bounded by a count, a duration or both.
type Shape struct {
	Rate        float64       // events per second (open loop); 0 for closed loop
	Concurrency int           // senders (closed loop)
	Count       int           // at most this many events; 0: bounded by Duration alone
	Duration    time.Duration // at most this long; 0: bounded by Count alone
	MaxInFlight int           // open loop: POSTs under way at once before sends queue
}

// Validate says what is wrong with a shape.
func (s Shape) Validate() error {
	switch {
	case s.Rate < 0 || s.Concurrency < 0 || s.Count < 0 || s.Duration < 0:
		return errors.New("rate, concurrency, count and duration must not be negative")
	case s.Rate > 0 && s.Concurrency > 0:
		return errors.New("give a rate (open loop) or a concurrency (closed loop), not both")
	case s.Rate == 0 && s.Concurrency == 0:
		return errors.New("give a rate (open loop, events/s) or a concurrency (closed loop, senders)")
	case s.Count == 0 && s.Duration == 0:
		return errors.New("bound the run with a count, a duration or both")
	case s.Rate > 0 && s.MaxInFlight <= 0:
		return errors.New("an open-loop run needs a positive in-flight cap")
	}
	return nil
}

// Open says whether the shape is open loop.
func (s Shape) Open() bool { return s.Rate > 0 }

// String is the shape as a person says it.
func (s Shape) String() string {
	var what string
	if s.Open() {
		what = fmt.Sprintf("open loop %g/s", s.Rate)
	} else {
		what = fmt.Sprintf("closed loop, %d senders", s.Concurrency)
	}
	if s.Count > 0 {
		what += fmt.Sprintf(", %d events", s.Count)
	}
	if s.Duration > 0 {
		what += fmt.Sprintf(", at most %s", s.Duration)
	}
	return what
}

// Capacity is the most events the shape can send.
func (s Shape) Capacity() int {
	if s.Count > 0 {
		return s.Count
	}
	if s.Open() {
		return int(s.Rate*s.Duration.Seconds()) + 1
	}
	return 0 // closed loop bounded by time: unknown
}

// Send sends event seq; ref is when its latency starts counting.
type Send func(ctx context.Context, seq int, ref time.Time)

// Drive sends events in the shape from start until a bound is reached or
// ctx ends, then waits for the sends under way. It returns how many events
// it started.
func (s Shape) Drive(ctx context.Context, start time.Time, send Send) int {
	if s.Open() {
		return s.driveOpen(ctx, start, send)
	}
	return s.driveClosed(ctx, start, send)
}

// At is event seq's intended send time in an open-loop run.
func (s Shape) At(start time.Time, seq int) time.Time {
	return start.Add(time.Duration(float64(seq) * float64(time.Second) / s.Rate))
}

func (s Shape) driveOpen(ctx context.Context, start time.Time, send Send) int {
	var wg sync.WaitGroup
	slots := make(chan struct{}, s.MaxInFlight)
	timer := time.NewTimer(0)
	defer timer.Stop()
	seq := 0
	for ; s.Count == 0 || seq < s.Count; seq++ {
		at := s.At(start, seq)
		if s.Duration > 0 && at.Sub(start) >= s.Duration {
			break
		}
		if d := time.Until(at); d > 0 {
			timer.Reset(d)
			select {
			case <-timer.C:
			case <-ctx.Done():
				wg.Wait()
				return seq
			}
		}
		// A full set of slots delays this send, but not its intended time.
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return seq
		}
		wg.Add(1)
		go func(seq int, at time.Time) {
			defer wg.Done()
			defer func() { <-slots }()
			send(ctx, seq, at)
		}(seq, at)
	}
	wg.Wait()
	return seq
}

func (s Shape) driveClosed(ctx context.Context, start time.Time, send Send) int {
	// Like an open-loop run, begin at start, so rates and CPU cover the same span.
	if d := time.Until(start); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return 0
		}
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	deadline := start.Add(s.Duration)
	for range s.Concurrency {
		wg.Go(func() {
			for ctx.Err() == nil {
				now := time.Now()
				if s.Duration > 0 && !now.Before(deadline) {
					return
				}
				seq := int(next.Add(1) - 1)
				if s.Count > 0 && seq >= s.Count {
					return
				}
				send(ctx, seq, now)
			}
		})
	}
	wg.Wait()
	started := int(next.Load())
	if s.Count > 0 {
		started = min(started, s.Count) // senders that drew a number past the count sent nothing
	}
	return started
}
