package bench

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkReceiverCall is the tool's own cost per outbound call it
// receives (find the event, record the key, close the event on its last
// call), so it can be told apart from the target's in a profile.
//
//	go test ./internal/bench -run '^$' -bench . -benchmem
func BenchmarkReceiverCall(b *testing.B) {
	r := NewReceiver("hbabcdef-", 1)
	const events = 1 << 16
	for seq := range events {
		r.Register(seq, time.Now())
	}
	keys := make([]string, events)
	for i := range keys {
		keys[i] = "bench/hbabcdef-" + strconv.Itoa(i) + "/relay/first"
	}
	w := httptest.NewRecorder()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/first", strings.NewReader(`{"event":"x"}`))
		req.Header.Set("Idempotency-Key", keys[i%events])
		r.ServeHTTP(w, req)
		i++
	}
}

func BenchmarkLatencyRecord(b *testing.B) {
	l := NewLatency()
	b.ReportAllocs()
	d := time.Duration(0)
	for b.Loop() {
		d += 37 * time.Microsecond
		l.Record(d % (10 * time.Second))
	}
}
