package procs

import (
	"context"
	"slices"
	"sync/atomic"
	"testing"
	"time"
)

const ms = time.Millisecond

func TestDeciderNarrowsAfterAFullCalmSpell(t *testing.T) {
	d := newDecider(limits{widen: 0.65, busy: 3, narrow: 0.5, calm: 4})
	for i := range 3 {
		if c := d.observe(30*ms, 100*ms); c != stay {
			t.Fatalf("window %d of 4 at 0.3 cores: %v, want stay until the calm spell is full", i+1, c)
		}
	}
	if c := d.observe(30*ms, 100*ms); c != toNarrow {
		t.Fatalf("fourth calm window: %v, want toNarrow", c)
	}
	if c := d.observe(30*ms, 100*ms); c != stay {
		t.Fatalf("calm while narrow: %v, want stay", c)
	}
}

func TestDeciderAveragesTheSpell(t *testing.T) {
	d := newDecider(limits{widen: 0.65, busy: 3, narrow: 0.5, calm: 4})
	// 0.2, 0.2, 0.2 and one window at 1.5 cores: 0.525 on average, over 0.5.
	for _, spent := range []time.Duration{20 * ms, 150 * ms, 20 * ms, 20 * ms} {
		if c := d.observe(spent, 100*ms); c != stay {
			t.Fatalf("spell averaging 0.525 cores: %v, want stay", c)
		}
	}
	// The busy window leaves the ring after four more: 0.2 on average.
	var got []change
	for range 4 {
		got = append(got, d.observe(20*ms, 100*ms))
	}
	if got[0] != stay || got[1] != toNarrow {
		t.Fatalf("after the busy window: %v, want narrow once it has left the spell", got)
	}
}

func TestDeciderWeighsWindowsByTheirWallTime(t *testing.T) {
	d := newDecider(limits{widen: 0.65, busy: 3, narrow: 0.5, calm: 2})
	// 60 ms over 100 ms (0.6) and 40 ms over 100 ms (0.4): 0.5, not under.
	d.observe(60*ms, 100*ms)
	if c := d.observe(40*ms, 100*ms); c != stay {
		t.Fatalf("0.5 cores on average: %v, want stay", c)
	}
	// A late tick: 60 ms over 300 ms beside 40 over 100: 0.25.
	if c := d.observe(60*ms, 300*ms); c != toNarrow {
		t.Fatalf("0.25 cores on average: %v, want toNarrow", c)
	}
}

// narrowed is d after a calm spell of calmWindows windows narrowed it.
func narrowed(t *testing.T, d *decider, calmWindows int) *decider {
	t.Helper()
	for range calmWindows {
		d.observe(10*ms, 100*ms)
	}
	if !d.narrowNow {
		t.Fatalf("not narrow after a calm spell of %d windows", calmWindows)
	}
	return d
}

// staysThen feeds d one 100 ms window per CPU time in spent: every window
// but the last must leave the width alone, the last must give last.
func staysThen(t *testing.T, d *decider, what string, last change, spent ...time.Duration) {
	t.Helper()
	for i, s := range spent {
		want := stay
		if i == len(spent)-1 {
			want = last
		}
		if c := d.observe(s, 100*ms); c != want {
			t.Fatalf("%s, window %d of %d (%v in 100 ms): %v, want %v", what, i+1, len(spent), s, c, want)
		}
	}
}

func TestDeciderWidensOnABusySpellNotOnOneBusyWindow(t *testing.T) {
	d := narrowed(t, newDecider(limits{widen: 0.65, busy: 3, narrow: 0.5, calm: 3}), 3)
	// A garbage collection on one P: 83, 46 and 30 ms in three windows,
	// 0.53 cores on average.
	staysThen(t, d, "a collection's spike", stay, 83*ms, 46*ms, 30*ms, 25*ms)
	// A burst: one P nearly full for two windows, 0.73 cores over three.
	staysThen(t, d, "two full windows", toWide, 95*ms, 98*ms)
}

func TestDeciderWidensAfterABusySpellAndStartsTheCalmSpellAgain(t *testing.T) {
	d := narrowed(t, newDecider(limits{widen: 0.65, busy: 3, narrow: 0.5, calm: 3}), 3)
	// Two windows do not fill the busy spell, however busy.
	for range 2 {
		if c := d.observe(100*ms, 100*ms); c != stay {
			t.Fatalf("busy spell not yet full: %v, want stay", c)
		}
	}
	if c := d.observe(70*ms, 100*ms); c != toWide {
		t.Fatalf("0.9 cores over the busy spell: %v, want toWide", c)
	}
	// A whole new calm spell before narrowing again.
	if c := d.observe(10*ms, 100*ms); c != stay {
		t.Fatalf("first calm window after widening: %v, want stay", c)
	}
	d.observe(10*ms, 100*ms)
	if c := d.observe(10*ms, 100*ms); c != toNarrow {
		t.Fatalf("third calm window after widening: %v, want toNarrow", c)
	}
	// And a whole new busy spell: the windows from before do not count.
	if c := d.observe(100*ms, 100*ms); c != stay {
		t.Fatalf("first busy window after narrowing: %v, want stay", c)
	}
}

func TestDeciderWidensOnASaturatedSpellBeforeTheBusySpellIsFull(t *testing.T) {
	d := narrowed(t, newDecider(limits{widen: 0.55, busy: 10, full: 0.9, saturated: 3, narrow: 0.5, calm: 2}), 2)
	// A steady 40/s's spike on one P: 46, 74 and 101 ms, under 0.9 on average.
	staysThen(t, d, "a spike", stay, 46*ms, 74*ms, 101*ms, 30*ms)
	// A burst: one P full for three windows.
	staysThen(t, d, "one P full", toWide, 95*ms, 95*ms, 95*ms)
}

func TestDeciderWidensWhenOnePIsOverHalfBusyForTheBusySpell(t *testing.T) {
	d := narrowed(t, newDecider(limits{widen: 0.55, busy: 10, full: 0.9, saturated: 3, narrow: 0.5, calm: 2}), 2)
	// 100 events/s on one P: 0.62 cores, never saturated; the tenth
	// window fills the busy spell.
	staysThen(t, d, "a busy spell at 0.62 cores", toWide, slices.Repeat([]time.Duration{62 * ms}, 10)...)
}

func TestDeciderWaitsLongerAfterAMistakenNarrowing(t *testing.T) {
	d := newDecider(limits{widen: 0.65, busy: 1, narrow: 0.5, calm: 2})
	calm := func(n int) (changes []change) {
		for range n {
			changes = append(changes, d.observe(10*ms, 100*ms))
		}
		return changes
	}
	busy := func() change { return d.observe(90*ms, 100*ms) }
	if got := calm(2); got[1] != toNarrow {
		t.Fatalf("first calm spell of 2: %v, want toNarrow", got)
	}
	// Widened after one window: sooner than the calm spell, a mistake.
	if c := busy(); c != toWide {
		t.Fatalf("busy: %v, want toWide", c)
	}
	if got := calm(4); got[1] != stay || got[3] != toNarrow {
		t.Fatalf("after one mistake: %v, want to narrow after 4 calm windows, not 2", got)
	}
	busy()
	if got := calm(8); got[3] != stay || got[7] != toNarrow {
		t.Fatalf("after two mistakes: %v, want to narrow after 8 calm windows", got)
	}
	// Narrow for 16 windows (twice the wait): the wait starts over at 2.
	calm(16)
	if c := busy(); c != toWide {
		t.Fatalf("busy after a long narrow spell: %v, want toWide", c)
	}
	if got := calm(2); got[1] != toNarrow {
		t.Fatalf("after a long narrow spell: %v, want to narrow after 2 calm windows again", got)
	}
}

func TestDeciderBacksOffNoFurtherThanItsLimit(t *testing.T) {
	d := newDecider(limits{widen: 0.65, busy: 1, narrow: 0.5, calm: 2})
	for range 10 {
		for d.observe(0, 100*ms) != toNarrow {
		}
		if c := d.observe(90*ms, 100*ms); c != toWide {
			t.Fatalf("busy: %v, want toWide", c)
		}
	}
	if d.calmWindows != 2*maxBackoff {
		t.Fatalf("after ten mistakes the calm spell is %d windows, want the limit %d", d.calmWindows, 2*maxBackoff)
	}
}

// returnsAtOnce runs g on a context that never ends: Run must return by
// itself.
func returnsAtOnce(t *testing.T, g *Governor) {
	t.Helper()
	done := make(chan struct{})
	go func() { g.Run(context.Background()); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("Run still governing after 2 s, want it to return at once")
	}
}

func TestRunLeavesAOnePProcessAlone(t *testing.T) {
	var touched atomic.Bool
	returnsAtOnce(t, &Governor{
		Interval: ms,
		width:    func() int { return 1 },
		cpu:      func() (time.Duration, bool) { touched.Store(true); return 0, true },
		narrow:   func() { touched.Store(true) },
		widen:    func() { touched.Store(true) },
	})
	if touched.Load() {
		t.Fatal("Run measured or changed a process that has one P")
	}
}

func TestRunLeavesTheProcessAloneWithoutACPUClock(t *testing.T) {
	var changed atomic.Bool
	returnsAtOnce(t, &Governor{
		Interval: ms,
		width:    func() int { return 4 },
		cpu:      func() (time.Duration, bool) { return 0, false },
		narrow:   func() { changed.Store(true) },
		widen:    func() { changed.Store(true) },
	})
	if changed.Load() {
		t.Fatal("Run changed the width without a CPU clock")
	}
}

func TestDeciderWidensOnASurgeOfArrivals(t *testing.T) {
	d := narrowed(t, newDecider(limits{widen: 0.55, busy: 10, full: 0.9, saturated: 3, narrow: 0.5, calm: 2, surge: 15}), 2)
	// 100 events/s, one P a third busy: 10 a window, or 15 with jitter.
	for _, n := range []uint64{10, 9, 11, 15} {
		d.observe(30*ms, 100*ms)
		if c := d.arrivals(n); c != stay {
			t.Fatalf("%d arrivals in a window (surge 15): %v, want stay", n, c)
		}
	}
	// A burst's first window: the CPU count cannot tell yet.
	d.observe(60*ms, 100*ms)
	if c := d.arrivals(16); c != toWide {
		t.Fatalf("16 arrivals in a window (surge 15): %v, want toWide", c)
	}
	// Wide, arrivals change nothing.
	if c := d.observe(10*ms, 100*ms); c != stay {
		t.Fatalf("first calm window after widening: %v, want stay", c)
	}
	if c := d.arrivals(100); c != stay {
		t.Fatalf("arrivals while wide: %v, want stay", c)
	}
}

func TestDeciderWithoutASurgeIgnoresArrivals(t *testing.T) {
	d := narrowed(t, newDecider(limits{widen: 0.55, busy: 10, narrow: 0.5, calm: 2}), 2)
	if c := d.arrivals(1 << 20); c != stay {
		t.Fatalf("arrivals without a surge limit: %v, want stay", c)
	}
}

// TestRunWidensOnASurgeOfArrivals runs the Governor on a clock that never
// moves (idle) and an arrivals count the test raises: a window's worth up
// to the surge keeps it narrow, one more widens it.
func TestRunWidensOnASurgeOfArrivals(t *testing.T) {
	var width atomic.Int32
	width.Store(4)
	var arrivals atomic.Uint64
	widths := make(chan int, 4)
	g := &Governor{
		Interval: 10 * ms, Calm: 20 * ms, Surge: 1000, // 10 per window
		Arrivals: arrivals.Load,
		cpu:      func() (time.Duration, bool) { return time.Second, true },
		narrow:   func() { width.Store(1) },
		widen:    func() { width.Store(4) },
		width:    func() int { return int(width.Load()) },
		changed:  func(n int) { widths <- n },
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { g.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	next := func(what string) int {
		t.Helper()
		select {
		case n := <-widths:
			return n
		case <-time.After(2 * time.Second):
			t.Fatalf("%s: no change of width in 2 s", what)
			return 0
		}
	}
	if n := next("idle"); n != 1 {
		t.Fatalf("idle: width %d, want 1", n)
	}
	arrivals.Add(10) // all in one window: the surge, not over it
	select {
	case n := <-widths:
		t.Fatalf("10 arrivals at once (surge 10 a window): width %d, want to stay narrow", n)
	case <-time.After(100 * ms):
	}
	arrivals.Add(11)
	if n := next("11 arrivals at once"); n != 4 {
		t.Fatalf("11 arrivals at once: width %d, want 4", n)
	}
}

func TestChangeNames(t *testing.T) {
	for c, want := range map[change]string{stay: "stay", toNarrow: "narrow", toWide: "widen", 7: "change(7)"} {
		if got := c.String(); got != want {
			t.Errorf("change %d: %q, want %q", int(c), got, want)
		}
	}
}
