package bench

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// call posts one call to the receiver the way an integration would.
func call(t *testing.T, r *Receiver, path, key, body string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	w := httptest.NewRecorder()
	r.ServeHTTP(w, req)
	if w.Code != http.StatusOK {
		t.Fatalf("receiver answered %d", w.Code)
	}
}

func TestReceiverCountsAnEventDeliveredAtItsLastCall(t *testing.T) {
	r := NewReceiver("hbaaaa-", 2)
	clock := time.Unix(1000, 0)
	r.now = func() time.Time { return clock }
	r.Register(7, time.Unix(999, 0))
	r.Acked(7, 202)

	clock = time.Unix(1000, 0)
	call(t, r, "/first", "bench/hbaaaa-7/relay/first", `{}`)
	if r.Delivered() != 0 {
		t.Fatal("delivered after the first of two calls")
	}
	clock = time.Unix(1002, 0)
	call(t, r, "/second", "bench/hbaaaa-7/relay/second", `{}`)
	if r.Delivered() != 1 {
		t.Fatal("not delivered after the second call")
	}
	// Latency is from the registered reference to the last call: 3 s.
	if s := r.latencySummary(); s.Count != 1 || s.Max < 2999 || s.Max > 3001 {
		t.Errorf("latency %+v, want one event of 3000 ms", s)
	}
	if got := r.Tally(); got != (Tally{Registered: 1, Acked: 1, Delivered: 1, Calls: 2}) {
		t.Errorf("tally %+v", got)
	}
}

func TestReceiverFindsTheEventInKeyPathOrBody(t *testing.T) {
	r := NewReceiver("hbbbbb-", 1)
	for seq := range 3 {
		r.Register(seq, time.Now())
		r.Acked(seq, 202)
	}
	call(t, r, "/x", "bench/hbbbbb-0/relay/first", "")      // Idempotency-Key (hookflow)
	call(t, r, "/calls/hbbbbb-1", "", "")                   // the path
	call(t, r, "/forward/0", "", `{"id":"hbbbbb-2","n":2}`) // the body (a forwarder without a key)
	if got := r.Tally(); got.Delivered != 3 || got.Stray != 0 {
		t.Errorf("tally %+v, want all three delivered", got)
	}
}

func TestReceiverSpotsDuplicatesStrayCallsAndLostEvents(t *testing.T) {
	r := NewReceiver("hbcccc-", 2)
	for seq := range 5 {
		r.Register(seq, time.Now())
	}
	r.Acked(0, 202) // delivered, with one call repeated: a duplicated effect
	r.Acked(1, 202) // one call of two: lost, partial
	r.Acked(2, 202) // no call: lost
	r.Acked(3, 503) // refused, never called: not lost (the sender retries)
	r.Acked(4, -1)  // transport error, yet delivered (the answer was lost on the way)

	call(t, r, "/a", "w/hbcccc-0/r/a", "")
	call(t, r, "/b", "w/hbcccc-0/r/b", "")
	call(t, r, "/b", "w/hbcccc-0/r/b", "") // the same key again
	call(t, r, "/a", "w/hbcccc-1/r/a", "")
	call(t, r, "/a", "w/hbcccc-4/r/a", "")
	call(t, r, "/b", "w/hbcccc-4/r/b", "")
	call(t, r, "/a", "w/hbdddd-0/r/a", "")  // another run's event
	call(t, r, "/a", "w/hbcccc-99/r/a", "") // never registered
	call(t, r, "/a", "no token at all", "")

	want := Tally{Registered: 5, Acked: 3, Delivered: 2, Lost: 2, Partial: 1, Unacked: 1, Duplicates: 1, Stray: 3, Calls: 9}
	if got := r.Tally(); got != want {
		t.Errorf("tally\n got %+v\nwant %+v", got, want)
	}
	if r.outstanding() != 2 {
		t.Errorf("outstanding = %d, want the 2 lost", r.outstanding())
	}
	if r.firstDelivered() != "hbcccc-0" {
		t.Errorf("firstDelivered = %q", r.firstDelivered())
	}
}

func TestReceiverFindDoesNotConfuseLongerNumbers(t *testing.T) {
	r := NewReceiver("hbeeee-", 1)
	if seq, ok := r.find([]byte("bench/hbeeee-12/relay/first")); !ok || seq != 12 {
		t.Errorf("find = %d, %v; want 12", seq, ok)
	}
	if _, ok := r.find([]byte("bench/hbeeee-/relay")); ok {
		t.Error("a prefix without digits is no token")
	}
	// Ten digits at most, so an absurd number cannot overflow.
	if seq, ok := r.find([]byte("bench/hbeeee-99999999999999/x")); !ok || seq != 9999999999 {
		t.Errorf("find = %d, %v; want the first ten digits", seq, ok)
	}
}

// Events no rule matches make no calls: done when acknowledged, and a call
// for one is a stray.
func TestReceiverWithNoCallsExpected(t *testing.T) {
	r := NewReceiver("hbffff-", 0)
	clock := time.Unix(1000, 0)
	r.now = func() time.Time { return clock }
	r.Register(0, time.Unix(999, 0))
	r.Register(1, time.Unix(999, 0))
	r.Acked(0, 202)
	r.Acked(1, 503)
	call(t, r, "/x", "w/hbffff-0/r/s", "")
	want := Tally{Registered: 2, Acked: 1, Delivered: 1, Stray: 1, Calls: 1}
	if got := r.Tally(); got != want {
		t.Errorf("tally\n got %+v\nwant %+v", got, want)
	}
	if s := r.latencySummary(); s.Count != 1 || s.Max < 999 || s.Max > 1001 {
		t.Errorf("latency %+v, want the acknowledgement's 1000 ms", s)
	}
}
