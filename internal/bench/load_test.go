package bench

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestShapeValidate(t *testing.T) {
	for _, c := range []struct {
		shape Shape
		want  string // "" for valid
	}{
		{Shape{Rate: 100, Duration: time.Second, MaxInFlight: 10}, ""},
		{Shape{Concurrency: 32, Count: 100}, ""},
		{Shape{Rate: 100, Concurrency: 3, Count: 1, MaxInFlight: 1}, "not both"},
		{Shape{Count: 10}, "give a rate"},
		{Shape{Concurrency: 2}, "bound the run"},
		{Shape{Rate: 5, Count: 5}, "in-flight cap"},
		{Shape{Concurrency: -1, Count: 1}, "negative"},
	} {
		err := c.shape.Validate()
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%+v: unexpected error %v", c.shape, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%+v: error %v, want one saying %q", c.shape, err, c.want)
		}
	}
}

// An open-loop run measures every event from its intended send time, even
// when the target stalls and sends queue behind it: that is the correction
// for coordinated omission.
func TestOpenLoopMeasuresFromTheSchedule(t *testing.T) {
	shape := Shape{Rate: 1000, Count: 40, MaxInFlight: 1}
	start := time.Now()
	release := make(chan struct{})
	var mu sync.Mutex
	refs := map[int]time.Time{}
	calledAt := map[int]time.Time{}
	go func() {
		// Hold the first send until the schedule is well past every event.
		time.Sleep(shape.At(start, shape.Count).Sub(start) + 20*time.Millisecond)
		close(release)
	}()
	n := shape.Drive(context.Background(), start, func(_ context.Context, seq int, ref time.Time) {
		mu.Lock()
		refs[seq], calledAt[seq] = ref, time.Now()
		mu.Unlock()
		if seq == 0 {
			<-release
		}
	})
	if n != shape.Count {
		t.Fatalf("sent %d, want %d", n, shape.Count)
	}
	for seq := range shape.Count {
		if want := shape.At(start, seq); !refs[seq].Equal(want) {
			t.Errorf("event %d measured from %v, want its intended time %v", seq, refs[seq].Sub(start), want.Sub(start))
		}
	}
	// The stall really delayed the queued sends past their schedule, so
	// measuring from the call would have hidden it.
	if last := shape.Count - 1; !calledAt[last].After(refs[last]) {
		t.Errorf("the queued event was sent on schedule; the test did not stall the sender")
	}
}

func TestClosedLoopSendsExactlyTheCount(t *testing.T) {
	shape := Shape{Concurrency: 8, Count: 100}
	var mu sync.Mutex
	seen := map[int]int{}
	start := time.Now().Add(20 * time.Millisecond)
	n := shape.Drive(context.Background(), start, func(_ context.Context, seq int, ref time.Time) {
		if ref.After(time.Now()) {
			t.Errorf("event %d measured from the future", seq)
		}
		if ref.Before(start) {
			t.Errorf("event %d sent before the run's start: rates would count from the wrong time", seq)
		}
		mu.Lock()
		seen[seq]++
		mu.Unlock()
	})
	if n != 100 || len(seen) != 100 {
		t.Fatalf("sent %d distinct %d, want 100", n, len(seen))
	}
	for seq, c := range seen {
		if seq < 0 || seq >= 100 || c != 1 {
			t.Errorf("event %d sent %d times", seq, c)
		}
	}
}

func TestDriveStopsAtTheDuration(t *testing.T) {
	// 50/s for 100 ms is events 0…4 by schedule, whatever the machine's speed.
	shape := Shape{Rate: 50, Duration: 100 * time.Millisecond, MaxInFlight: 4}
	var mu sync.Mutex
	var got []int
	n := shape.Drive(context.Background(), time.Now(), func(_ context.Context, seq int, _ time.Time) {
		mu.Lock()
		got = append(got, seq)
		mu.Unlock()
	})
	if n != 5 || len(got) != 5 {
		t.Errorf("sent %d (%v), want the 5 events scheduled within 100 ms", n, got)
	}
}
