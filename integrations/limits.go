package integrations

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

var rateUnits = map[string]time.Duration{
	"s": time.Second, "sec": time.Second, "second": time.Second,
	"m": time.Minute, "min": time.Minute, "minute": time.Minute,
	"h": time.Hour, "hour": time.Hour,
}

// ParseRate reads a rate like "100/s", "600/m" or "1000/h" as events per second.
func ParseRate(s string) (float64, error) {
	num, unit, ok := strings.Cut(strings.TrimSpace(s), "/")
	per, known := rateUnits[strings.TrimSpace(unit)]
	n, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if !ok || !known || err != nil || n <= 0 || math.IsInf(n, 0) || math.IsNaN(n) {
		return 0, fmt.Errorf("%q is not a rate; write e.g. 100/s, 600/m or 1000/h", s)
	}
	return n / per.Seconds(), nil
}

// Limits are an integration's `rate_limit` (calls per second across every
// worker: Temporal enforces it on the integration's own task queue) and
// `concurrency` (calls at once per worker process).
type Limits struct {
	PerSecond   float64 `json:"per_second,omitempty"`
	Concurrency int     `json:"concurrency,omitempty"`
}

// TaskQueue is where an integration's steps run: its own queue when it is
// limited, so the limit applies to it alone; "" means the shared queue.
func (s *Set) TaskQueue(base, integration string) string {
	if e, ok := s.byName[integration]; ok && e.Limits != (Limits{}) {
		return base + "-" + integration
	}
	return ""
}

// Limited returns the limited integrations and their limits.
func (s *Set) Limited() map[string]Limits {
	out := map[string]Limits{}
	for name, e := range s.byName {
		if e.Limits != (Limits{}) {
			out[name] = e.Limits
		}
	}
	return out
}
