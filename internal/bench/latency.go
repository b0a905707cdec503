package bench

import (
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Latency is a histogram of durations, recorded in microseconds from 1 µs
// to one hour with three significant digits (HdrHistogram), so percentiles
// stay exact to 0.1% whatever the spread.
type Latency struct {
	h *hdrhistogram.Histogram
}

const maxLatencyMicros = int64(time.Hour / time.Microsecond)

// NewLatency returns an empty histogram.
func NewLatency() *Latency {
	return &Latency{h: hdrhistogram.New(1, maxLatencyMicros, 3)}
}

// Record adds one duration; longer than an hour counts as an hour, shorter
// than a microsecond as one.
func (l *Latency) Record(d time.Duration) {
	us := max(d.Microseconds(), 1)
	us = min(us, maxLatencyMicros)
	_ = l.h.RecordValue(us) // in range by construction
}

// Merge adds every value of o.
func (l *Latency) Merge(o *Latency) { l.h.Merge(o.h) }

// Count is how many durations were recorded.
func (l *Latency) Count() int64 { return l.h.TotalCount() }

// Summary is a histogram's percentiles in milliseconds.
type Summary struct {
	Count int64   `json:"count"`
	P50   float64 `json:"p50_ms"`
	P95   float64 `json:"p95_ms"`
	P99   float64 `json:"p99_ms"`
	Max   float64 `json:"max_ms"`
}

// Summary reads the percentiles; all zero when nothing was recorded.
func (l *Latency) Summary() Summary {
	if l.h.TotalCount() == 0 {
		return Summary{}
	}
	ms := func(us int64) float64 { return float64(us) / 1000 }
	return Summary{
		Count: l.h.TotalCount(),
		P50:   ms(l.h.ValueAtQuantile(50)),
		P95:   ms(l.h.ValueAtQuantile(95)),
		P99:   ms(l.h.ValueAtQuantile(99)),
		Max:   ms(l.h.Max()),
	}
}
