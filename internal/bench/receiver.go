package bench

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Receiver stands in for every outbound endpoint of the system under test.
// It finds the event each call belongs to by the event's token (a run prefix
// and a sequence number: "hb1a2b3c-42") in the Idempotency-Key, the path or
// the body, and counts the event delivered when its last expected call
// arrives. Calls are told apart by their Idempotency-Key (else method and
// path), so a key that arrives twice is a duplicated effect.
type Receiver struct {
	prefix string
	calls  int
	now    func() time.Time

	mu      sync.Mutex
	events  []eventState
	latency *Latency
	window  func(ref time.Time, lat time.Duration) // records lat in the window of an event sent at ref; may be nil
	stray   int64
	dups    int64
	total   int64
	last    time.Time // when the last event was delivered
	done    int64
}

type eventState struct {
	registered bool
	ref        time.Time // intended (open loop) or actual (closed loop) send time
	keys       []string  // distinct calls seen
	delivered  time.Time
	status     int // the acknowledgement's HTTP status; 0 while in flight, -1 for a transport error
}

// NewReceiver expects calls per event for events whose tokens start with
// prefix. With no calls expected (events no rule matches), an event is
// done when it is acknowledged, and any call for it is a stray.
func NewReceiver(prefix string, calls int) *Receiver {
	return &Receiver{prefix: prefix, calls: max(calls, 0), now: time.Now, latency: NewLatency()}
}

// Prefix is the token prefix of this receiver's events.
func (r *Receiver) Prefix() string { return r.prefix }

// Token is the identifier of event seq: its delivery id, so it is in the
// workflow ID, and so in every Idempotency-Key derived from it.
func Token(prefix string, seq int) string { return prefix + strconv.Itoa(seq) }

// Register notes event seq before it is sent (a call can arrive before the
// acknowledgement does); its end-to-end latency is measured from ref.
func (r *Receiver) Register(seq int, ref time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for len(r.events) <= seq {
		r.events = append(r.events, eventState{})
	}
	r.events[seq].registered = true
	r.events[seq].ref = ref
}

// Acked records the answer to event seq's POST (-1 for a transport error).
func (r *Receiver) Acked(seq, status int) {
	at := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if seq >= len(r.events) {
		return
	}
	r.events[seq].status = status
	if r.calls == 0 && status >= 200 && status < 300 {
		r.deliver(&r.events[seq], at)
	}
}

// ServeHTTP records one call and answers 200 with a small JSON body (the
// shape integrations read an id from).
func (r *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	key := req.Header.Get("Idempotency-Key")
	seq, ok := r.find([]byte(key))
	if !ok {
		seq, ok = r.find([]byte(req.URL.Path))
	}
	if !ok {
		seq, ok = r.find(body)
	}
	if key == "" {
		key = req.Method + " " + req.URL.Path
	}
	r.call(seq, ok, key)
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"id":"bench-ok"}`))
}

// call records a call for event seq (found says whether a token was seen).
func (r *Receiver) call(seq int, found bool, key string) {
	at := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.total++
	if !found || seq >= len(r.events) || !r.events[seq].registered {
		r.stray++
		return
	}
	ev := &r.events[seq]
	if r.calls == 0 {
		r.stray++ // no call was expected
		return
	}
	for _, k := range ev.keys {
		if k == key {
			r.dups++
			return
		}
	}
	ev.keys = append(ev.keys, key)
	if len(ev.keys) == r.calls {
		r.deliver(ev, at)
	}
}

// deliver closes an event at time at; r.mu is held.
func (r *Receiver) deliver(ev *eventState, at time.Time) {
	ev.delivered = at
	r.done++
	r.last = at
	lat := at.Sub(ev.ref)
	r.latency.Record(lat)
	if r.window != nil {
		r.window(ev.ref, lat)
	}
}

// find reads the sequence number after the receiver's prefix in b.
func (r *Receiver) find(b []byte) (int, bool) {
	i := bytes.Index(b, []byte(r.prefix))
	if i < 0 {
		return 0, false
	}
	b = b[i+len(r.prefix):]
	n, digits := 0, 0
	for _, c := range b {
		if c < '0' || c > '9' || digits > 9 {
			break
		}
		n = n*10 + int(c-'0')
		digits++
	}
	return n, digits > 0
}

// Delivered is how many events have had all their calls.
func (r *Receiver) Delivered() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.done
}

// LastDelivery is when the last event was delivered (zero before any).
func (r *Receiver) LastDelivery() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last
}

// Tally is what the receiver saw, event by event.
type Tally struct {
	Registered int   `json:"sent"`
	Acked      int   `json:"acknowledged"`         // 2xx answers
	Delivered  int   `json:"delivered"`            // every expected call arrived
	Lost       int   `json:"lost"`                 // acknowledged, yet not every call arrived
	Partial    int   `json:"partial"`              // of the lost: some calls arrived, not all
	Unacked    int   `json:"delivered_unacked"`    // delivered though the POST was not answered 2xx
	Duplicates int64 `json:"duplicated_effects"`   // calls whose key had already arrived
	Stray      int64 `json:"stray_calls"`          // calls that belong to no event of this phase
	Calls      int64 `json:"calls"`                // every call received
	Pending    int   `json:"unanswered_in_flight"` // registered, never answered and not delivered
}

// Tally counts events by their fate so far.
func (r *Receiver) Tally() Tally {
	r.mu.Lock()
	defer r.mu.Unlock()
	t := Tally{Duplicates: r.dups, Stray: r.stray, Calls: r.total}
	for _, ev := range r.events {
		if !ev.registered {
			continue
		}
		t.Registered++
		ok := ev.status >= 200 && ev.status < 300
		delivered := !ev.delivered.IsZero()
		switch {
		case ok:
			t.Acked++
		case delivered:
			t.Unacked++
		case ev.status == 0:
			t.Pending++ // not yet answered
		}
		if delivered {
			t.Delivered++
		} else if ok {
			t.Lost++
			if len(ev.keys) > 0 {
				t.Partial++
			}
		}
	}
	return t
}

// outstanding is how many acknowledged events still miss a call.
func (r *Receiver) outstanding() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, ev := range r.events {
		if ev.registered && ev.delivered.IsZero() && ev.status >= 200 && ev.status < 300 {
			n++
		}
	}
	return n
}

func (r *Receiver) latencySummary() Summary {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.latency.Summary()
}

// firstDelivered is the token of the first delivered event in sequence.
func (r *Receiver) firstDelivered() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, ev := range r.events {
		if !ev.delivered.IsZero() {
			return Token(r.prefix, i)
		}
	}
	return ""
}
