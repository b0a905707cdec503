// Package procs narrows the Go scheduler to one P while the process is
// lightly loaded, and gives it every P again as soon as load rises.
//
// Why: at a steady, light load (hookflow dev at 40 events/s uses about 0.4
// of a core) each event is a chain of goroutine hand-offs (the door, the
// embedded server's handlers and queues, the SDK's pollers and task
// goroutines, the outbound calls). With two or more Ps, a goroutine made
// ready while its P is busy wakes an idle thread to run it elsewhere, and
// that thread mostly finds nothing left to do and sleeps again: 46
// voluntary context switches per event, against 8 with one P, and 18% of
// the CPU per event (README → Performance). One P runs the same chain on
// one thread, each ready goroutine next in line. Under load the other Ps
// are needed (a burst of events uses every core), so the Governor widens
// to the runtime's default once one P has been over half busy for a
// second, or full for 300 ms, or, when it is told of arrivals, as soon as
// events arrive faster than one P can take them.
package procs

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"time"
)

// Governor decides the process's GOMAXPROCS from its own CPU use.
type Governor struct {
	// Interval is how often it measures (100 ms when zero).
	Interval time.Duration
	// Widen: while narrow, when the last Busy used more than this many
	// cores on average, widen (0.55 when zero).
	Widen float64
	// Busy is how long the load must stay over Widen before widening (1 s
	// when zero): long enough that the short spikes of a steady 40
	// events/s on one P (a garbage collection's 60–70 ms of CPU, spells
	// of up to 220 ms of CPU in 300 ms) do not count as load. A steady
	// load that keeps one P over half busy (100 events/s: 0.6–0.7 cores)
	// widens, since one P's queueing then shows in the latency.
	Busy time.Duration
	// Full: while narrow, when the last Saturated used more than this many
	// cores on average, widen at once (0.9 when zero): one P is full, as
	// at the start of a burst.
	Full float64
	// Saturated is how long one P must be full before widening (300 ms
	// when zero).
	Saturated time.Duration
	// Arrivals, when set, counts the events the process has taken so far
	// (hookflow dev: webhook requests answered). While narrow, more than
	// Surge of them per second in one Interval widen at once: a burst is
	// under way, and the CPU count shows it only a Saturated spell later,
	// when one P has been queueing it all along.
	Arrivals func() uint64
	// Surge is the arrival rate, per second, that widens (150 when zero:
	// about what one P handles at 6 ms of CPU per event).
	Surge float64
	// Narrow: while wide, when the last Calm used less than this many
	// cores on average, narrow (0.5 when zero).
	Narrow float64
	// Calm is how long the load must stay under Narrow before narrowing
	// (2 s when zero). A process narrows no sooner than that after it
	// started or widened. When a narrow spell ends sooner than Calm (the
	// load was not as light as it looked, as when a steady 100 events/s
	// dips for a while), the next narrowing waits twice as long, up to 32
	// times Calm; a narrow spell of twice the wait resets it.
	Calm time.Duration

	// cpu returns the process's CPU time so far (user and system, all
	// threads); nil uses the operating system's count.
	cpu func() (time.Duration, bool)
	// narrow and widen change the width; nil uses the runtime.
	narrow func()
	widen  func()
	// width returns the current GOMAXPROCS; nil asks the runtime.
	width func() int
	// changed, when set, is told the new width after each change (tests).
	changed func(procs int)
}

func (g *Governor) defaults() {
	if g.Interval <= 0 {
		g.Interval = 100 * time.Millisecond
	}
	if g.Widen <= 0 {
		g.Widen = 0.55
	}
	if g.Busy <= 0 {
		g.Busy = time.Second
	}
	if g.Full <= 0 {
		g.Full = 0.9
	}
	if g.Saturated <= 0 {
		g.Saturated = 300 * time.Millisecond
	}
	if g.Surge <= 0 {
		g.Surge = 150
	}
	if g.Narrow <= 0 {
		g.Narrow = 0.5
	}
	if g.Calm <= 0 {
		g.Calm = 2 * time.Second
	}
	if g.cpu == nil {
		g.cpu = ProcessCPU
	}
	if g.narrow == nil {
		g.narrow = func() { runtime.GOMAXPROCS(1) }
	}
	if g.widen == nil {
		// The runtime's default, and its automatic updates (CPU
		// affinity, cgroup limits) back on.
		g.widen = runtime.SetDefaultGOMAXPROCS
	}
	if g.width == nil {
		g.width = func() int { return runtime.GOMAXPROCS(0) }
	}
}

// governing is set while a Governor changes this process's width: one
// at a time (two in-process dev servers, as in tests, would otherwise
// undo each other's changes).
var governing atomic.Bool

// Run governs until ctx ends, then leaves the process at the runtime's
// default width. It returns at once, changing nothing, when the process
// has one P anyway, its CPU time cannot be read here, or another Governor
// already governs it.
func (g *Governor) Run(ctx context.Context) {
	runtimeWidth := g.narrow == nil && g.widen == nil
	g.defaults()
	if runtimeWidth {
		if !governing.CompareAndSwap(false, true) {
			return
		}
		defer governing.Store(false)
	}
	if g.width() < 2 {
		return
	}
	last, ok := g.cpu()
	if !ok {
		return
	}
	windows := func(d time.Duration) int { return max(1, int(d/g.Interval)) }
	l := limits{
		widen: g.Widen, busy: windows(g.Busy),
		full: g.Full, saturated: windows(g.Saturated),
		narrow: g.Narrow, calm: windows(g.Calm),
	}
	var arrived uint64
	if g.Arrivals != nil {
		l.surge = max(1, int(g.Surge*g.Interval.Seconds()))
		arrived = g.Arrivals()
	}
	d := newDecider(l)
	tick := time.NewTicker(g.Interval)
	defer tick.Stop()
	prev := time.Now()
	for {
		select {
		case <-ctx.Done():
			if d.narrowNow {
				g.widen()
			}
			return
		case now := <-tick.C:
			used, ok := g.cpu()
			if !ok {
				continue
			}
			c := d.observe(used-last, now.Sub(prev))
			if g.Arrivals != nil {
				n := g.Arrivals()
				if c == stay {
					c = d.arrivals(n - arrived)
				}
				arrived = n
			}
			switch c {
			case toNarrow:
				g.narrow()
				g.tell()
			case toWide:
				g.widen()
				g.tell()
			}
			last, prev = used, now
		}
	}
}

func (g *Governor) tell() {
	if g.changed != nil {
		g.changed(g.width())
	}
}

type change int

const (
	stay change = iota
	toNarrow
	toWide
)

// String names a change, for test failures.
func (c change) String() string {
	switch c {
	case stay:
		return "stay"
	case toNarrow:
		return "narrow"
	case toWide:
		return "widen"
	}
	return fmt.Sprintf("change(%d)", int(c))
}

// A narrow spell shorter than the calm spell before it was a mistake
// (the load was not as light as it looked); each doubles the calm spell
// the next narrowing waits for, up to maxBackoff times the first. A narrow
// spell that lasts resets it.
const maxBackoff = 32

// limits are a decider's thresholds, in cores, and spells, in windows.
type limits struct {
	// widen over busy windows, or full over saturated ones (none when
	// saturated is zero), widens.
	widen     float64
	busy      int
	full      float64
	saturated int
	// More than surge arrivals in one window widens (none when zero).
	surge int
	// narrow under calm windows narrows.
	narrow float64
	calm   int
}

// decider turns windows of CPU use into changes of width.
type decider struct {
	limits
	narrowNow bool
	// The last windows while narrow (as many as the longer of the busy
	// and the saturated spell) and while wide (the longest calm spell).
	busy, calm spell
	// calmWindows is the calm spell the next narrowing waits for:
	// limits.calm, or longer after mistakes.
	calmWindows int
	// narrowFor counts the windows since the last narrowing.
	narrowFor int
}

func newDecider(l limits) *decider {
	return &decider{
		limits:      l,
		busy:        newSpell(max(l.busy, l.saturated)),
		calm:        newSpell(l.calm * maxBackoff),
		calmWindows: l.calm,
	}
}

// observe takes one window's CPU time spent and its wall-clock length.
// Narrow, a busy spell averaging over widen cores, or a saturated one
// over full, widens; wide, a full calm spell averaging under narrow cores
// narrows. Each change starts the next spell afresh.
func (d *decider) observe(spent, wall time.Duration) change {
	if d.narrowNow {
		d.narrowFor++
		if d.busyOrFull(d.busy.add(spent, wall)) {
			return d.toWide()
		}
		return stay
	}
	if d.calm.add(spent, wall) >= d.calmWindows && d.calm.cores(d.calmWindows) < d.limits.narrow {
		d.narrowNow = true
		d.narrowFor = 0
		d.busy.reset()
		return toNarrow
	}
	return stay
}

// arrivals takes how many events arrived in the window just observed:
// narrow, more than surge widens.
func (d *decider) arrivals(n uint64) change {
	if !d.narrowNow || d.surge == 0 || n <= uint64(d.surge) {
		return stay
	}
	return d.toWide()
}

// toWide ends a narrow spell. One shorter than the calm spell before it
// doubles the next calm spell; one of twice that resets it.
func (d *decider) toWide() change {
	if d.narrowFor < d.calmWindows {
		d.calmWindows = min(2*d.calmWindows, d.limits.calm*maxBackoff)
	} else if d.narrowFor >= 2*d.calmWindows {
		d.calmWindows = d.limits.calm
	}
	d.narrowNow = false
	d.calm.reset()
	return toWide
}

// busyOrFull reports whether the windows while narrow (n of them so far)
// make a busy or a saturated spell.
func (d *decider) busyOrFull(n int) bool {
	if d.saturated > 0 && n >= d.saturated && d.busy.cores(d.saturated) > d.full {
		return true
	}
	return n >= d.limits.busy && d.busy.cores(d.limits.busy) > d.widen
}

// spell is the last few windows, a ring: CPU spent and wall time of each.
type spell struct {
	spent, wall  []time.Duration
	next, filled int
}

func newSpell(windows int) spell {
	return spell{spent: make([]time.Duration, windows), wall: make([]time.Duration, windows)}
}

func (s *spell) size() int { return len(s.spent) }

// add records a window and returns how many the spell holds.
func (s *spell) add(spent, wall time.Duration) int {
	s.spent[s.next], s.wall[s.next] = spent, wall
	s.next = (s.next + 1) % len(s.spent)
	s.filled = min(s.filled+1, len(s.spent))
	return s.filled
}

func (s *spell) reset() { s.next, s.filled = 0, 0 }

// cores is the average CPU use of the spell's last n windows, in cores.
func (s *spell) cores(n int) float64 {
	var spent, wall time.Duration
	for i := 1; i <= n; i++ {
		j := (s.next - i + len(s.spent)) % len(s.spent)
		spent += s.spent[j]
		wall += s.wall[j]
	}
	return cores(spent, wall)
}

// cores is the CPU time spent over a wall-clock window, in cores.
func cores(spent, wall time.Duration) float64 {
	if wall <= 0 {
		return 0
	}
	return spent.Seconds() / wall.Seconds()
}
