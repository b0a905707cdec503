package telemetry

import (
	"math"
	"sort"
	"strconv"
	"time"

	dto "github.com/prometheus/client_model/go"
)

// Snapshot is the totals of hookflow's own metrics at one moment, read from
// the registry exactly as /metrics shows them. Calls, retries and latency are
// summed over an integration's operations.
type Snapshot struct {
	At time.Time
	// Webhooks counts answered webhook requests by trigger and HTTP status.
	Webhooks map[WebhookKey]float64
	// Duplicates counts accepted deliveries that started no new run, by trigger.
	Duplicates map[string]float64
	// Calls counts step call attempts by integration and outcome.
	Calls map[CallKey]float64
	// Retries counts attempts after the first, by integration.
	Retries map[string]float64
	// Latency is the outbound call duration histogram, by integration.
	Latency map[string]Histogram
	// RunsFinished counts runs that ended in this process's worker, by status.
	RunsFinished map[string]float64
}

// WebhookKey is one series of hookflow_webhooks_received_total.
type WebhookKey struct {
	Trigger string
	Status  int
}

// CallKey is hookflow_step_calls_total of one integration and outcome.
type CallKey struct {
	Integration string
	Outcome     string
}

// Histogram is a Prometheus histogram's state: Counts[i] observations at
// most Bounds[i] (cumulative), Count in all (the +Inf bucket), and their Sum.
type Histogram struct {
	Bounds []float64
	Counts []uint64
	Count  uint64
	Sum    float64
}

// Snapshot reads the current totals. A nil *Metrics reads empty totals.
func (m *Metrics) Snapshot() Snapshot {
	s := newSnapshot(time.Now())
	if m == nil {
		return s
	}
	families, _ := m.registry.Gather() // a failing collector drops only its own families
	for _, f := range families {
		for _, mt := range f.GetMetric() {
			l := labels(mt)
			switch f.GetName() {
			case nameWebhooksReceived:
				status, _ := strconv.Atoi(l["status"])
				s.Webhooks[WebhookKey{l["trigger"], status}] += mt.GetCounter().GetValue()
			case nameRunsDeduplicated:
				s.Duplicates[l["trigger"]] += mt.GetCounter().GetValue()
			case nameStepCalls:
				s.Calls[CallKey{l["integration"], l["outcome"]}] += mt.GetCounter().GetValue()
			case nameStepRetries:
				s.Retries[l["integration"]] += mt.GetCounter().GetValue()
			case nameOutboundDuration:
				s.Latency[l["integration"]] = s.Latency[l["integration"]].add(mt.GetHistogram())
			case RunsFinished:
				s.RunsFinished[l["status"]] += mt.GetCounter().GetValue()
			}
		}
	}
	return s
}

func newSnapshot(at time.Time) Snapshot {
	return Snapshot{
		At:           at,
		Webhooks:     map[WebhookKey]float64{},
		Duplicates:   map[string]float64{},
		Calls:        map[CallKey]float64{},
		Retries:      map[string]float64{},
		Latency:      map[string]Histogram{},
		RunsFinished: map[string]float64{},
	}
}

func labels(m *dto.Metric) map[string]string {
	out := make(map[string]string, len(m.GetLabel()))
	for _, l := range m.GetLabel() {
		out[l.GetName()] = l.GetValue()
	}
	return out
}

// add sums a scraped histogram series into h (series of one family share
// their bounds).
func (h Histogram) add(p *dto.Histogram) Histogram {
	buckets := p.GetBucket()
	if h.Bounds == nil {
		h.Bounds = make([]float64, len(buckets))
		h.Counts = make([]uint64, len(buckets))
		for i, b := range buckets {
			h.Bounds[i] = b.GetUpperBound()
		}
	} else {
		h.Counts = append([]uint64(nil), h.Counts...)
	}
	for i, b := range buckets {
		if i < len(h.Counts) {
			h.Counts[i] += b.GetCumulativeCount()
		}
	}
	h.Count += p.GetSampleCount()
	h.Sum += p.GetSampleSum()
	return h
}

// Sub is what was observed between old and h: old is an earlier state of
// the same histogram (or empty).
func (h Histogram) Sub(old Histogram) Histogram {
	out := Histogram{Bounds: h.Bounds, Counts: make([]uint64, len(h.Counts)), Count: h.Count - min(old.Count, h.Count), Sum: h.Sum - old.Sum}
	for i, c := range h.Counts {
		var o uint64
		if i < len(old.Counts) {
			o = old.Counts[i]
		}
		out.Counts[i] = c - min(o, c)
	}
	return out
}

// Quantile estimates the q-quantile (0 < q < 1) as Prometheus'
// histogram_quantile does: linear interpolation inside the bucket that holds
// the rank, the highest finite bound for a rank past it. NaN without
// observations.
func (h Histogram) Quantile(q float64) float64 {
	if h.Count == 0 || len(h.Bounds) == 0 {
		return math.NaN()
	}
	rank := q * float64(h.Count)
	i := sort.Search(len(h.Counts), func(i int) bool { return float64(h.Counts[i]) >= rank })
	if i == len(h.Counts) {
		return h.Bounds[len(h.Bounds)-1]
	}
	lower, below := 0.0, uint64(0)
	if i > 0 {
		lower, below = h.Bounds[i-1], h.Counts[i-1]
	}
	in := h.Counts[i] - below
	if in == 0 {
		return h.Bounds[i]
	}
	return lower + (h.Bounds[i]-lower)*(rank-float64(below))/float64(in)
}

// Sub is what happened between old and s: every counter's increase and the
// histograms' new observations. A series that shrank (a restart) counts from 0.
func (s Snapshot) Sub(old Snapshot) Snapshot {
	out := newSnapshot(s.At)
	for k, v := range s.Webhooks {
		out.Webhooks[k] = increase(v, old.Webhooks[k])
	}
	for k, v := range s.Duplicates {
		out.Duplicates[k] = increase(v, old.Duplicates[k])
	}
	for k, v := range s.Calls {
		out.Calls[k] = increase(v, old.Calls[k])
	}
	for k, v := range s.Retries {
		out.Retries[k] = increase(v, old.Retries[k])
	}
	for k, v := range s.RunsFinished {
		out.RunsFinished[k] = increase(v, old.RunsFinished[k])
	}
	for k, h := range s.Latency {
		if o := old.Latency[k]; o.Count <= h.Count {
			out.Latency[k] = h.Sub(o)
		} else {
			out.Latency[k] = h
		}
	}
	return out
}

func increase(now, before float64) float64 {
	if now < before {
		return now
	}
	return now - before
}
