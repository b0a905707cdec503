package telemetry

import (
	"context"
	"sync"
	"time"
)

// History keeps a Snapshot of this process's metrics every step for a
// window (the last hour by default), so the dashboard can chart rates and
// latencies without a Prometheus server. It holds window/step+1 snapshots:
// a few hundred small maps at most.
type History struct {
	m    *Metrics
	step time.Duration
	keep int

	mu      sync.Mutex
	samples []Snapshot // oldest first; the first is the window's baseline
}

// NewHistory starts a history of m with its first snapshot, the baseline
// that later ones are compared with until the window fills.
func NewHistory(m *Metrics, step, window time.Duration) *History {
	if step <= 0 {
		step = time.Minute
	}
	keep := max(int(window/step), 1)
	return &History{m: m, step: step, keep: keep, samples: []Snapshot{m.Snapshot()}}
}

// Step is the time between two snapshots: one point on a chart.
func (h *History) Step() time.Duration { return h.step }

// Points is how many steps the window holds.
func (h *History) Points() int { return h.keep }

// Run records a snapshot every step until ctx ends.
func (h *History) Run(ctx context.Context) {
	t := time.NewTicker(h.step)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			h.Record()
		}
	}
}

// Record takes a snapshot now, dropping those that left the window.
func (h *History) Record() {
	s := h.m.Snapshot()
	h.mu.Lock()
	defer h.mu.Unlock()
	h.samples = append(h.samples, s)
	if over := len(h.samples) - (h.keep + 1); over > 0 {
		h.samples = append([]Snapshot(nil), h.samples[over:]...)
	}
}

// Read returns the recorded snapshots, oldest first (the first is the
// baseline of the window), and a live one taken now.
func (h *History) Read() (samples []Snapshot, live Snapshot) {
	live = h.m.Snapshot()
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Snapshot(nil), h.samples...), live
}
