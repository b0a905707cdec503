package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Proc is a process whose CPU and memory a phase reads from /proc, and the
// part it plays ("target", "forwarder", "temporal server", …).
type Proc struct {
	Role string
	PID  int
}

// Phase is one measurement: a shape of load against one target, with the
// processes that do the target's work.
type Phase struct {
	Name     string // "hookflow", "forwarder", "temporal"
	Shape    Shape
	Target   *Target
	Receiver *Receiver
	Drain    time.Duration // how long to wait for the last calls after the last send
	// Settle is how long the phase goes on reading the processes after its
	// last call (or the drain's end): work the events left behind (a run's
	// timers, the run list's last writes) then counts in CPU per event, as
	// it does in a steady run. Rates and latencies are not changed by it.
	Settle   time.Duration
	Procs    []Proc
	DB       string        // SQLite file to watch, if any
	Window   time.Duration // per-window figures (a minute for steady runs); 0 for none
	Progress io.Writer     // a line every few seconds; nil for none
	Every    time.Duration // progress interval; default 5s
}

// Result is what a phase measured. Rates are per second of the phase's own
// clock; CPU is from /proc and is the primary figure on a shared machine.
type Result struct {
	Phase string `json:"phase"`
	Round int    `json:"round"`
	Shape string `json:"shape"`
	Tally
	Non2xx          map[string]int `json:"non_2xx"`
	SendSeconds     float64        `json:"send_seconds"`    // first send → last answer
	DeliverSeconds  float64        `json:"deliver_seconds"` // first send → last delivery
	AckedPerSec     float64        `json:"acknowledged_per_s"`
	DeliveredPerSec float64        `json:"delivered_per_s"`
	// EndToEnd is POST → last call received, from the intended send time in
	// an open-loop run (corrected for coordinated omission) and from the
	// actual send in a closed-loop one (each sender waits, so there is no
	// schedule to slip).
	EndToEnd      Summary      `json:"end_to_end"`
	Ack           Summary      `json:"ack"` // POST → answer, same reference
	Procs         []ProcResult `json:"processes"`
	CPUPerEventMs float64      `json:"cpu_ms_per_event"` // every process of the phase, per delivered event
	OtherCores    float64      `json:"other_cores"`      // mean cores busy with anything else on the machine
	// StealCores is the mean CPU time per second the hypervisor gave to
	// other machines while this one had work (counted in OtherCores too):
	// on a VM, every process stalls for it. StealWorst is the largest share
	// of all CPUs stolen in one sampling interval (a second), StealWorstAt
	// its end, in seconds from the phase's start: a latency spike at the same
	// moment is the VM's, not the target's.
	StealCores    float64        `json:"steal_cores"`
	StealWorst    float64        `json:"steal_worst"`
	StealWorstAt  float64        `json:"steal_worst_at_s,omitempty"`
	DB            *DBResult      `json:"db,omitempty"`
	Windows       []WindowResult `json:"windows,omitempty"`
	SampleEventID string         `json:"sample_event_id,omitempty"` // a delivered event's id, for its history
}

// ProcResult is one process's share of a phase.
type ProcResult struct {
	Role          string  `json:"role"`
	PID           int     `json:"pid"`
	CPUSeconds    float64 `json:"cpu_seconds"`
	CPUMsPerEvent float64 `json:"cpu_ms_per_event"`
	Cores         float64 `json:"cores"` // mean over the phase
	RSSStartMB    float64 `json:"rss_start_mb"`
	RSSEndMB      float64 `json:"rss_end_mb"`
	RSSPeakMB     float64 `json:"rss_peak_mb"`
	// WrittenKBPerEvent is what the process sent to storage during the
	// phase per delivered event (ProcSample.WrittenBytes); absent where the
	// kernel does not say.
	WrittenKBPerEvent float64 `json:"written_kb_per_event,omitempty"`
	// SwitchesPerEvent is the process's context switches during the phase
	// per delivered event, and WaitsPerEvent the voluntary ones among them
	// (ProcSample.Switches, Waits): how often its threads went to sleep
	// and were woken, per event.
	SwitchesPerEvent float64 `json:"switches_per_event,omitempty"`
	WaitsPerEvent    float64 `json:"waits_per_event,omitempty"`
}

// DBResult is how the database grew.
type DBResult struct {
	Start         FileSizes `json:"start"`
	End           FileSizes `json:"end"`
	MaxWAL        int64     `json:"max_wal_bytes"`
	BytesPerEvent float64   `json:"bytes_per_event"` // db + wal + shm growth per delivered event
}

// WindowResult is one window (a minute) of a steady run: latency of the
// events sent in it, and the work done during it.
type WindowResult struct {
	Index         int     `json:"index"`
	EndToEnd      Summary `json:"end_to_end"`
	Delivered     int64   `json:"delivered"` // during the window
	CPUSeconds    float64 `json:"cpu_seconds"`
	CPUMsPerEvent float64 `json:"cpu_ms_per_event"`
	RSSEndMB      float64 `json:"rss_end_mb"` // of the first process
	DBEndBytes    int64   `json:"db_end_bytes,omitempty"`
	// DBBytesPerEvent is the database and WAL growth since the last window
	// that delivered, per event delivered in this one: once the WAL has
	// reached its size, the rate a longer run converges to.
	DBBytesPerEvent float64 `json:"db_bytes_per_event,omitempty"`
	StealWorst      float64 `json:"steal_worst"` // the window's largest share of all CPUs stolen in a second
}

const mb = 1 << 20

// procTrack follows one process through a phase.
type procTrack struct {
	Proc
	start, last ProcSample
	peak        int64
	err         error
}

func (t *procTrack) read() {
	s, err := ReadProc(t.PID)
	if err != nil {
		t.err = err
		return
	}
	t.last = s
	t.peak = max(t.peak, s.RSSBytes)
}

// Run measures the phase.
func (p Phase) Run(ctx context.Context) (Result, error) {
	if err := p.Shape.Validate(); err != nil {
		return Result{}, err
	}
	tracks := make([]*procTrack, len(p.Procs))
	for i, pr := range p.Procs {
		s, err := ReadProc(pr.PID)
		if err != nil {
			return Result{}, fmt.Errorf("%s: %w", pr.Role, err)
		}
		tracks[i] = &procTrack{Proc: pr, start: s, last: s, peak: s.RSSBytes}
	}
	m0, _ := MachineCPU()
	db0 := FileSizes{}
	if p.DB != "" {
		db0 = ReadFileSizes(p.DB)
	}
	start := time.Now().Add(50 * time.Millisecond) // the first intended send, a moment away

	var mu sync.Mutex // guards the per-window histograms and the answer tallies
	var windows []*Latency
	if p.Window > 0 {
		p.Receiver.window = func(ref time.Time, lat time.Duration) {
			i := max(int(ref.Sub(start)/p.Window), 0)
			mu.Lock()
			defer mu.Unlock()
			for len(windows) <= i {
				windows = append(windows, NewLatency())
			}
			windows[i].Record(lat)
		}
	}
	ack := NewLatency()
	non2xx := map[string]int{}
	var lastAnswer time.Time

	// The sampler reads /proc every second, keeps peaks, closes windows and
	// prints progress.
	sampleCtx, stopSampler := context.WithCancel(ctx)
	var wins []WindowResult
	var maxWAL int64
	var stealWorst, stealWorstAt float64 // the sampler's, read after it is done
	samplerDone := make(chan struct{})
	go func() {
		defer close(samplerDone)
		interval := time.Second
		if p.Window > 0 && p.Window < 4*time.Second {
			interval = p.Window / 4 // short windows (tests) still close on time
		}
		tick := time.NewTicker(interval)
		defer tick.Stop()
		every := p.Every
		if every <= 0 {
			every = 5 * time.Second
		}
		nextProgress := time.Now().Add(every)
		winStart, winCPU, winDelivered := start, cpuOf(tracks), int64(0)
		lastSample, lastSteal, winSteal := time.Now(), m0.Steal, 0.0
		winDB := db0.Total()
		sampleSteal := func(now time.Time) {
			m, err := MachineCPU()
			if err != nil || !now.After(lastSample) {
				return
			}
			share := (m.Steal - lastSteal) / (now.Sub(lastSample).Seconds() * float64(runtime.NumCPU()))
			lastSample, lastSteal = now, m.Steal
			winSteal = max(winSteal, share)
			if share > stealWorst {
				stealWorst, stealWorstAt = share, now.Sub(start).Seconds()
			}
		}
		closeWindow := func() {
			cpu, delivered := cpuOf(tracks), p.Receiver.Delivered()
			w := WindowResult{Index: len(wins), Delivered: delivered - winDelivered, CPUSeconds: cpu - winCPU, StealWorst: winSteal}
			winSteal = 0
			if w.Delivered > 0 {
				w.CPUMsPerEvent = w.CPUSeconds * 1000 / float64(w.Delivered)
			}
			if len(tracks) > 0 {
				w.RSSEndMB = float64(tracks[0].last.RSSBytes) / mb
			}
			if p.DB != "" {
				w.DBEndBytes = ReadFileSizes(p.DB).Total()
				if w.Delivered > 0 { // else the growth counts in the next window that delivers
					w.DBBytesPerEvent = float64(w.DBEndBytes-winDB) / float64(w.Delivered)
					winDB = w.DBEndBytes
				}
			}
			wins = append(wins, w)
			winStart, winCPU, winDelivered = winStart.Add(p.Window), cpu, delivered
		}
		for {
			select {
			case <-sampleCtx.Done():
				// The last, partial window: a run that ends on a window's
				// boundary still reports the events sent in it.
				if p.Window > 0 && (time.Since(winStart) >= interval || p.Receiver.Delivered() > winDelivered) {
					for _, t := range tracks {
						t.read()
					}
					sampleSteal(time.Now())
					closeWindow()
				}
				return
			case now := <-tick.C:
				for _, t := range tracks {
					t.read()
				}
				sampleSteal(now)
				if p.DB != "" {
					maxWAL = max(maxWAL, ReadFileSizes(p.DB).WAL)
				}
				if p.Window > 0 && now.Sub(winStart) >= p.Window {
					closeWindow()
				}
				if p.Progress != nil && !now.Before(nextProgress) {
					nextProgress = now.Add(every)
					t := p.Receiver.Tally()
					line := fmt.Sprintf("%s %4.0fs  sent %d  acked %d  delivered %d  awaiting calls %d  non-2xx %d",
						p.Name, now.Sub(start).Seconds(), t.Registered, t.Acked, t.Delivered, t.Lost, t.Registered-t.Acked-t.Pending)
					if len(tracks) > 0 {
						line += fmt.Sprintf("  cpu %.1fs  rss %.0f MB", cpuOf(tracks)-cpuStart(tracks), float64(tracks[0].last.RSSBytes)/mb)
					}
					fmt.Fprintln(p.Progress, line)
				}
			}
		}
	}()

	p.Shape.Drive(ctx, start, func(ctx context.Context, seq int, ref time.Time) {
		p.Receiver.Register(seq, ref)
		status, err := p.Target.Post(ctx, Token(p.Receiver.prefix, seq), seq)
		answered := time.Now()
		if err != nil {
			status = -1
		}
		p.Receiver.Acked(seq, status)
		mu.Lock()
		defer mu.Unlock()
		ack.Record(answered.Sub(ref))
		if answered.After(lastAnswer) {
			lastAnswer = answered
		}
		switch {
		case err != nil:
			non2xx["error: "+errorKind(err)]++
		case status < 200 || status > 299:
			non2xx[strconv.Itoa(status)]++
		}
	})

	// Drain: wait for the calls of every acknowledged event, or the limit.
	drainUntil := time.Now().Add(p.Drain)
	for time.Now().Before(drainUntil) && ctx.Err() == nil && p.Receiver.outstanding() > 0 {
		time.Sleep(20 * time.Millisecond)
	}
	if p.Settle > 0 {
		select {
		case <-time.After(p.Settle):
		case <-ctx.Done():
		}
	}
	stopSampler()
	<-samplerDone
	end := time.Now()
	for _, t := range tracks {
		t.read()
	}
	m1, _ := MachineCPU()

	r := Result{Phase: p.Name, Shape: p.Shape.String(), Tally: p.Receiver.Tally(), Non2xx: non2xx}
	mu.Lock()
	r.Ack = ack.Summary()
	if !lastAnswer.IsZero() {
		r.SendSeconds = lastAnswer.Sub(start).Seconds()
	}
	mu.Unlock()
	r.EndToEnd = p.Receiver.latencySummary()
	if last := p.Receiver.LastDelivery(); !last.IsZero() {
		r.DeliverSeconds = last.Sub(start).Seconds()
	}
	if r.SendSeconds > 0 {
		r.AckedPerSec = float64(r.Acked) / r.SendSeconds
	}
	if r.DeliverSeconds > 0 {
		r.DeliveredPerSec = float64(r.Delivered) / r.DeliverSeconds
	}
	elapsed := end.Sub(start).Seconds()
	var ours float64
	for _, t := range tracks {
		if t.err != nil {
			return r, fmt.Errorf("%s (pid %d) during the run: %w", t.Role, t.PID, t.err)
		}
		pr := ProcResult{
			Role: t.Role, PID: t.PID,
			CPUSeconds: t.last.CPUSeconds - t.start.CPUSeconds,
			RSSStartMB: float64(t.start.RSSBytes) / mb, RSSEndMB: float64(t.last.RSSBytes) / mb, RSSPeakMB: float64(t.peak) / mb,
		}
		if r.Delivered > 0 {
			pr.CPUMsPerEvent = pr.CPUSeconds * 1000 / float64(r.Delivered)
			if t.start.WrittenBytes >= 0 && t.last.WrittenBytes >= 0 {
				pr.WrittenKBPerEvent = float64(t.last.WrittenBytes-t.start.WrittenBytes) / 1024 / float64(r.Delivered)
			}
			if t.start.Switches >= 0 && t.last.Switches >= t.start.Switches && t.last.Waits >= t.start.Waits {
				pr.SwitchesPerEvent = float64(t.last.Switches-t.start.Switches) / float64(r.Delivered)
				pr.WaitsPerEvent = float64(t.last.Waits-t.start.Waits) / float64(r.Delivered)
			}
		}
		if elapsed > 0 {
			pr.Cores = pr.CPUSeconds / elapsed
		}
		ours += pr.CPUSeconds
		r.Procs = append(r.Procs, pr)
	}
	if r.Delivered > 0 {
		r.CPUPerEventMs = ours * 1000 / float64(r.Delivered)
	}
	if elapsed > 0 && m1.Total > m0.Total {
		// /proc/stat counts in 10 ms ticks: clamp what a short phase's rounding overstates.
		r.OtherCores = min(max(0, (m1.Busy-m0.Busy)-ours)/elapsed, float64(runtime.NumCPU()))
		r.StealCores = (m1.Steal - m0.Steal) / elapsed
	}
	if p.DB != "" {
		db1 := ReadFileSizes(p.DB)
		d := &DBResult{Start: db0, End: db1, MaxWAL: max(maxWAL, db1.WAL)}
		if r.Delivered > 0 {
			d.BytesPerEvent = float64(db1.Total()-db0.Total()) / float64(r.Delivered)
		}
		r.DB = d
	}
	mu.Lock() // late calls of lost events may still open windows
	for i := range wins {
		if i < len(windows) {
			wins[i].EndToEnd = windows[i].Summary()
		}
	}
	mu.Unlock()
	r.Windows = wins
	r.StealWorst, r.StealWorstAt = stealWorst, stealWorstAt
	if r.Delivered > 0 {
		r.SampleEventID = p.Receiver.firstDelivered()
	}
	return r, nil
}

func cpuOf(tracks []*procTrack) float64 {
	var s float64
	for _, t := range tracks {
		s += t.last.CPUSeconds
	}
	return s
}

func cpuStart(tracks []*procTrack) float64 {
	var s float64
	for _, t := range tracks {
		s += t.start.CPUSeconds
	}
	return s
}

// errorKind shortens a transport error to what it was, for counting.
func errorKind(err error) string {
	var ne net.Error
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	}
	msg := err.Error()
	for _, k := range []string{"connection refused", "connection reset", "EOF", "too many open files"} {
		if strings.Contains(msg, k) {
			return k
		}
	}
	return "other"
}

// SortedNon2xx lists the non-2xx answers by count, most first.
func (r Result) SortedNon2xx() []string {
	keys := make([]string, 0, len(r.Non2xx))
	for k := range r.Non2xx {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return r.Non2xx[keys[i]] > r.Non2xx[keys[j]] || (r.Non2xx[keys[i]] == r.Non2xx[keys[j]] && keys[i] < keys[j])
	})
	return keys
}
