package main

import (
	"fmt"
	"net/http"
	"sort"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkE2ELatency measures POST /hooks → the outbound call arriving at
// the receiver, one event at a time, on the embedded server with serve and
// worker as separate components in this process. Reports p50/p95/p99.
//
//	go test ./cmd/hookflow -run '^$' -bench E2ELatency -benchtime 200x
func BenchmarkE2ELatency(b *testing.B) {
	f := getFixtureB(b)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		id := fmt.Sprintf("bench-lat-%d-%d", time.Now().UnixNano(), i)
		arrived := f.receiver.expect("orders/" + id + "/deliver/send")
		start := time.Now()
		if resp, ans := f.post(b, id, map[string]any{"kind": "ok", "data": map[string]any{"email": "b@example.com", "n": i}}); resp.StatusCode != http.StatusAccepted {
			b.Fatalf("%d %v", resp.StatusCode, ans)
		}
		select {
		case at := <-arrived:
			lat = append(lat, at.Sub(start))
		case <-time.After(30 * time.Second):
			b.Fatalf("event %d never reached the receiver", i)
		}
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.95), "p95-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

// BenchmarkE2EAccept measures the durable accept rate: signed webhooks
// acknowledged with 202 (Temporal has accepted the start), 8 senders at once.
//
//	go test ./cmd/hookflow -run '^$' -bench E2EAccept -benchtime 2000x
func BenchmarkE2EAccept(b *testing.B) {
	f := getFixtureB(b)
	var n atomic.Int64
	b.SetParallelism(4) // × GOMAXPROCS senders
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			// kind "none" matches no rule: this measures the door and the start, not the calls.
			body := fmt.Appendf(nil, `{"kind":"none","data":{"n":%d}}`, i)
			resp, ans, err := f.sign(fmt.Sprintf("bench-acc-%d-%d", start.UnixNano(), i), body)
			if err != nil || resp.StatusCode != http.StatusAccepted {
				b.Errorf("post: %v %v", err, ans)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "webhooks/s")
}

// getFixtureB starts the test fixture for a benchmark.
func getFixtureB(b *testing.B) *fixture {
	fixtureOnce.Do(func() { shared, fixtureErr = startFixture() })
	if fixtureErr != nil {
		b.Fatalf("e2e fixture: %v", fixtureErr)
	}
	return shared
}
