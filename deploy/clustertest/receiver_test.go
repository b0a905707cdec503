//go:build cluster

package clustertest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// receiver is the integrations' far end, deduplicating as a well-behaved
// API does: the first request with an Idempotency-Key takes effect, later
// ones with the same key are answered without a second effect and counted
// as duplicated attempts. Each answer is held for delay, so steps are in
// flight when a worker dies; a caller that hangs up before its answer (a
// killed worker) leaves an abandoned attempt.
type receiver struct {
	srv   *httptest.Server
	delay time.Duration

	mu       sync.Mutex
	effects  map[string]time.Time // the first arrival per key
	attempts map[string][]attempt
	missing  int // requests without an Idempotency-Key
}

type attempt struct {
	start, end time.Time
	abandoned  bool // the caller hung up before the answer
}

func newReceiver(t testing.TB, delay time.Duration) *receiver {
	r := &receiver{delay: delay, effects: map[string]time.Time{}, attempts: map[string][]attempt{}}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	_, _ = io.Copy(io.Discard, req.Body)
	key := req.Header.Get("Idempotency-Key")
	now := time.Now()
	r.mu.Lock()
	if key == "" {
		r.missing++
		r.mu.Unlock()
		http.Error(w, "Idempotency-Key is required", http.StatusBadRequest)
		return
	}
	if _, seen := r.effects[key]; !seen {
		r.effects[key] = now
	}
	r.mu.Unlock()
	a := attempt{start: now}
	select {
	case <-time.After(r.delay):
	case <-req.Context().Done():
		a.abandoned = true
	}
	a.end = time.Now()
	r.mu.Lock()
	r.attempts[key] = append(r.attempts[key], a)
	r.mu.Unlock()
	if a.abandoned {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"id": key})
}

// effect is when key first arrived, if it did.
func (r *receiver) effect(key string) (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	at, ok := r.effects[key]
	return at, ok
}

// keys is every key that arrived.
func (r *receiver) keys() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, len(r.effects))
	for k := range r.effects {
		out = append(out, k)
	}
	return out
}

// duplicated counts the attempts beyond the first for the given keys.
func (r *receiver) duplicated(keys []string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, k := range keys {
		if c := len(r.attempts[k]); c > 1 {
			n += c - 1
		}
	}
	return n
}

// resumed reports the attempts abandoned by a process killed at `at` and
// how long after the kill each of their keys was attempted again.
func (r *receiver) resumed(at time.Time) (abandoned int, after []time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, as := range r.attempts {
		for i, a := range as {
			// Abandoned within a moment of the kill: the dead worker's call.
			if !a.abandoned || a.start.After(at) || a.end.Before(at) || a.end.Sub(at) > 2*time.Second {
				continue
			}
			abandoned++
			var first time.Time
			for j, next := range as {
				if j != i && next.start.After(at) && (first.IsZero() || next.start.Before(first)) {
					first = next.start
				}
			}
			if !first.IsZero() {
				after = append(after, first.Sub(at))
			}
		}
	}
	return abandoned, after
}
