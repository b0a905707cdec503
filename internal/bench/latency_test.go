package bench

import (
	"math"
	"testing"
	"time"
)

func TestLatencySummaryPercentiles(t *testing.T) {
	l := NewLatency()
	for i := 1; i <= 1000; i++ { // 1 ms … 1000 ms, one each
		l.Record(time.Duration(i) * time.Millisecond)
	}
	s := l.Summary()
	// HdrHistogram with three significant digits: within 0.1% of the exact value.
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"p50", s.P50, 500}, {"p95", s.P95, 950}, {"p99", s.P99, 990}, {"max", s.Max, 1000},
	} {
		if math.Abs(c.got-c.want) > c.want*0.001+0.001 {
			t.Errorf("%s = %v ms, want %v ms", c.name, c.got, c.want)
		}
	}
	if s.Count != 1000 {
		t.Errorf("count = %d, want 1000", s.Count)
	}
}

func TestLatencyClampsAndMerges(t *testing.T) {
	a, b := NewLatency(), NewLatency()
	a.Record(-time.Second)  // a clock step back counts as the floor, not a panic
	b.Record(3 * time.Hour) // beyond the range counts as the ceiling
	b.Record(20 * time.Millisecond)
	a.Merge(b)
	s := a.Summary()
	if s.Count != 3 {
		t.Fatalf("count = %d, want 3", s.Count)
	}
	if s.Max < 3599_000 || s.Max > 3601_000 {
		t.Errorf("max = %v ms, want the one-hour ceiling", s.Max)
	}
	if (NewLatency().Summary() != Summary{}) {
		t.Errorf("an empty histogram should summarise to zeros")
	}
}
