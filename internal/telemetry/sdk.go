package telemetry

import (
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"
)

// timerBuckets (seconds) cover the SDK's timers: millisecond RPCs, 70s long
// polls, and workflow end-to-end latencies of hours when rules sleep or wait.
var timerBuckets = []float64{
	.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 21600, 86400,
}

// The SDK emits one metric name with different tag key sets (temporal_request_failure
// gains status_code, task failures gain failure_reason, ...), while a Prometheus
// family has one label set. Registering a vector per name on first use would drop
// the tags of later, richer uses, so sdkCollector keeps its own series instead:
// each family remembers the union of the tag keys it has seen, and each scrape
// exposes every series with that union, a key the series lacks as "". An empty
// tag value is the same as no tag, so {a="x"} and {a="x",b=""} are one series.
// Metric names and tag keys are sanitized to Prometheus' charset; names keep no
// added suffixes (tally's Prometheus convention, which Temporal's Go SDK
// dashboards query), and timers become histograms in seconds.
type sdkCollector struct {
	reserved map[string]bool

	mu       sync.Mutex
	families map[string]*sdkFamily
	names    map[string]string // the SDK's metric names, sanitized; "" for reserved ones
}

type metricKind int

const (
	kindCounter metricKind = iota
	kindGauge
	kindTimer
)

type sdkFamily struct {
	name   string
	kind   metricKind
	keys   map[string]bool // union of the tag keys of every series
	desc   *prometheus.Desc
	series map[string]*sdkSeries // by seriesKey of its tags
}

// sdkSeries is one tag set's value; the collector's mutex guards it.
type sdkSeries struct {
	tags    map[string]string
	value   float64  // counter total or gauge value
	buckets []uint64 // timer: observations per bucket, not cumulative; last is +Inf
	count   uint64
	sum     float64
}

func newSDKCollector(reserved map[string]bool) *sdkCollector {
	return &sdkCollector{reserved: reserved, families: map[string]*sdkFamily{}, names: map[string]string{}}
}

// Describe sends nothing: the collector is unchecked because its label sets
// grow as the SDK uses new tags.
func (c *sdkCollector) Describe(chan<- *prometheus.Desc) {}

func (c *sdkCollector) Collect(ch chan<- prometheus.Metric) {
	var out []prometheus.Metric
	c.mu.Lock()
	for _, f := range c.families {
		keys := slices.Sorted(maps.Keys(f.keys))
		if f.desc == nil {
			f.desc = prometheus.NewDesc(f.name, help(f.name, f.kind), keys, nil)
		}
		for _, s := range f.series {
			values := make([]string, len(keys))
			for i, k := range keys {
				values[i] = s.tags[k]
			}
			var m prometheus.Metric
			var err error
			switch f.kind {
			case kindCounter:
				m, err = prometheus.NewConstMetric(f.desc, prometheus.CounterValue, s.value, values...)
			case kindGauge:
				m, err = prometheus.NewConstMetric(f.desc, prometheus.GaugeValue, s.value, values...)
			case kindTimer:
				cumulative := make(map[float64]uint64, len(timerBuckets))
				var n uint64
				for i, upper := range timerBuckets {
					n += s.buckets[i]
					cumulative[upper] = n
				}
				m, err = prometheus.NewConstHistogram(f.desc, s.count, s.sum, cumulative, values...)
			}
			if err != nil {
				m = prometheus.NewInvalidMetric(f.desc, err)
			}
			out = append(out, m)
		}
	}
	c.mu.Unlock()
	// Send outside the lock so a slow scrape never blocks the SDK.
	for _, m := range out {
		ch <- m
	}
}

func help(name string, kind metricKind) string {
	if name == RunsFinished {
		return "Hookflow runs finished, by status; recorded by workflow code through the Temporal SDK."
	}
	switch kind {
	case kindGauge:
		return "Temporal SDK gauge " + name + "."
	case kindTimer:
		return "Temporal SDK timer " + name + ", in seconds."
	default:
		return "Temporal SDK counter " + name + "."
	}
}

// series returns the series for name and tags (key is seriesKey(tags)),
// creating it (and widening its family's label set) on first use. It returns
// nil when name is one hookflow registers itself, or was first used as
// another kind: a second family under one name would fail the scrape. The SDK
// asks for a metric each time it records one, so the name's sanitized form
// is remembered and the key comes with the handler.
func (c *sdkCollector) series(name string, kind metricKind, tags map[string]string, key string) *sdkSeries {
	c.mu.Lock()
	defer c.mu.Unlock()
	family, ok := c.names[name]
	if !ok {
		family = sanitizeName(name)
		if c.reserved[family] || strings.HasPrefix(family, "go_") || strings.HasPrefix(family, "process_") || strings.HasPrefix(family, "promhttp_") {
			family = ""
		}
		c.names[name] = family
	}
	if family == "" {
		return nil
	}
	f := c.families[family]
	if f == nil {
		f = &sdkFamily{name: family, kind: kind, keys: map[string]bool{}, series: map[string]*sdkSeries{}}
		c.families[family] = f
	}
	if f.kind != kind {
		return nil
	}
	s := f.series[key]
	if s == nil {
		s = &sdkSeries{tags: tags}
		if kind == kindTimer {
			s.buckets = make([]uint64, len(timerBuckets)+1)
		}
		f.series[key] = s
		for k := range tags {
			if !f.keys[k] {
				f.keys[k] = true
				f.desc = nil
			}
		}
	}
	return s
}

// seriesKey encodes tags in key order. Tags are valid UTF-8, which never holds
// the byte 0xff, so the encoding is unambiguous.
func seriesKey(tags map[string]string) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		b.WriteString(k)
		b.WriteByte(0xff)
		b.WriteString(tags[k])
		b.WriteByte(0xff)
	}
	return b.String()
}

// sdkHandler is one tag set of the SDK adapter; WithTags derives another.
type sdkHandler struct {
	c       *sdkCollector
	tags    map[string]string // sanitized; never holds empty values
	key     string            // seriesKey(tags)
	derived derivedHandlers   // by the tags WithTags was given (sdk_derived.go)
}

var _ client.MetricsHandler = (*sdkHandler)(nil)

func (h *sdkHandler) WithTags(tags map[string]string) client.MetricsHandler {
	hash := tagsHash(tags)
	if d := h.derived.get(tags, hash); d != nil {
		return d
	}
	return h.derived.keep(tags, hash, h.derive(tags))
}

// derive is the handler of h's tags with tags added (an empty value
// removes its key).
func (h *sdkHandler) derive(tags map[string]string) *sdkHandler {
	merged := maps.Clone(h.tags)
	if merged == nil {
		merged = map[string]string{}
	}
	// Sorted so that, if two keys sanitize alike, the same one wins every time.
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		key := sanitizeLabel(k)
		v := strings.ToValidUTF8(tags[k], "\uFFFD")
		if v == "" {
			delete(merged, key)
			continue
		}
		merged[key] = v
	}
	return &sdkHandler{c: h.c, tags: merged, key: seriesKey(merged)}
}

func (h *sdkHandler) Counter(name string) client.MetricsCounter {
	s := h.c.series(name, kindCounter, h.tags, h.key)
	if s == nil {
		return client.MetricsNopHandler.Counter(name)
	}
	return sdkCounter{h.c, s}
}

func (h *sdkHandler) Gauge(name string) client.MetricsGauge {
	s := h.c.series(name, kindGauge, h.tags, h.key)
	if s == nil {
		return client.MetricsNopHandler.Gauge(name)
	}
	return sdkGauge{h.c, s}
}

func (h *sdkHandler) Timer(name string) client.MetricsTimer {
	s := h.c.series(name, kindTimer, h.tags, h.key)
	if s == nil {
		return client.MetricsNopHandler.Timer(name)
	}
	return sdkTimer{h.c, s}
}

type sdkCounter struct {
	c *sdkCollector
	s *sdkSeries
}

// Inc ignores negative deltas: a Prometheus counter never goes down.
func (k sdkCounter) Inc(d int64) {
	if d <= 0 {
		return
	}
	k.c.mu.Lock()
	k.s.value += float64(d)
	k.c.mu.Unlock()
}

type sdkGauge struct {
	c *sdkCollector
	s *sdkSeries
}

func (g sdkGauge) Update(v float64) {
	g.c.mu.Lock()
	g.s.value = v
	g.c.mu.Unlock()
}

type sdkTimer struct {
	c *sdkCollector
	s *sdkSeries
}

func (t sdkTimer) Record(d time.Duration) {
	v := max(d.Seconds(), 0)
	i := sort.SearchFloat64s(timerBuckets, v) // first bucket whose upper bound is >= v
	t.c.mu.Lock()
	t.s.buckets[i]++
	t.s.count++
	t.s.sum += v
	t.c.mu.Unlock()
}

// sanitizeName maps a metric name onto [a-zA-Z_:][a-zA-Z0-9_:]*.
func sanitizeName(s string) string { return sanitize(s, true) }

// sanitizeLabel maps a tag key onto [a-zA-Z_][a-zA-Z0-9_]*, without the
// reserved "__" prefix or "le", which histograms use for their buckets.
func sanitizeLabel(s string) string {
	s = sanitize(s, false)
	for strings.HasPrefix(s, "__") {
		s = s[1:]
	}
	if s == "le" {
		s = "_le"
	}
	return s
}

func sanitize(s string, colon bool) string {
	if s == "" {
		return "_"
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == '_', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', colon && r == ':':
			b.WriteRune(r)
		case r >= '0' && r <= '9':
			if i == 0 {
				b.WriteByte('_')
			}
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}
