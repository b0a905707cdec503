package bench

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// startReceiver serves r on loopback and returns its URL.
func startReceiver(t *testing.T, r http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return srv.URL
}

// startForwarder serves a receiver for events with prefix, and a forwarder
// that makes two calls to it per event; it returns both, the forwarder by
// its URL.
func startForwarder(t *testing.T, prefix string) (*Receiver, string) {
	t.Helper()
	rc := NewReceiver(prefix, 2)
	return rc, startReceiver(t, &Forwarder{Receiver: startReceiver(t, rc), Calls: 2, Client: NewClient(16, 10*time.Second)})
}

// A phase against the forwarder baseline: every event is delivered once,
// nothing is lost or duplicated, and the CPU is read from this process.
func TestPhaseAgainstTheForwarder(t *testing.T) {
	rc, fwdURL := startForwarder(t, "hbffff-")

	db := t.TempDir() + "/x.db"
	os.WriteFile(db, []byte("sqlite"), 0o600)
	p := Phase{
		Name:     "forwarder",
		Shape:    Shape{Concurrency: 4, Count: 200},
		Target:   &Target{URL: fwdURL + "/hooks/x", Client: NewClient(4, 10*time.Second), Body: func(tok string, seq int) []byte { return []byte(`{"id":"` + tok + `"}`) }, Sign: func(r *http.Request, _ []byte, id string) error { r.Header.Set("Webhook-Id", id); return nil }},
		Receiver: rc,
		Drain:    10 * time.Second,
		Procs:    []Proc{{Role: "this test", PID: os.Getpid()}},
		DB:       db,
	}
	res, err := p.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.Registered != 200 || res.Acked != 200 || res.Delivered != 200 || res.Lost != 0 || res.Duplicates != 0 || res.Stray != 0 || res.Calls != 400 {
		t.Errorf("tally %+v, want 200 sent, acknowledged and delivered with 400 calls", res.Tally)
	}
	if len(res.Non2xx) != 0 {
		t.Errorf("non-2xx %v", res.Non2xx)
	}
	if res.EndToEnd.Count != 200 || res.Ack.Count != 200 {
		t.Errorf("latency counts %d and %d, want 200", res.EndToEnd.Count, res.Ack.Count)
	}
	if len(res.Procs) != 1 || res.Procs[0].PID != os.Getpid() || res.Procs[0].RSSPeakMB <= 0 {
		t.Errorf("processes %+v", res.Procs)
	}
	if res.DB == nil || res.DB.Start.DB != 6 {
		t.Errorf("db %+v", res.DB)
	}
	if !strings.HasPrefix(res.SampleEventID, "hbffff-") {
		t.Errorf("sample event %q", res.SampleEventID)
	}
}

// Refusals are counted by status, and an acknowledged event whose calls
// never come is lost once the drain ends.
func TestPhaseCountsRefusalsAndLostEvents(t *testing.T) {
	rc := NewReceiver("hbgggg-", 1)
	recvURL := startReceiver(t, rc)
	var n atomic.Int64
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch n.Add(1) % 3 {
		case 0:
			w.WriteHeader(http.StatusServiceUnavailable)
		case 1:
			// acknowledged, then forwarded
			id := r.Header.Get("Webhook-Id")
			resp, err := http.Post(recvURL+"/c/"+id, "application/json", nil)
			if err == nil {
				resp.Body.Close()
			}
			w.WriteHeader(http.StatusAccepted)
		default:
			w.WriteHeader(http.StatusAccepted) // acknowledged, never forwarded: lost
		}
	}))
	defer target.Close()
	p := Phase{
		Name:     "flaky",
		Shape:    Shape{Concurrency: 1, Count: 30},
		Target:   &Target{URL: target.URL, Client: NewClient(1, 10*time.Second), Body: func(string, int) []byte { return []byte(`{}`) }, Sign: func(r *http.Request, _ []byte, id string) error { r.Header.Set("Webhook-Id", id); return nil }},
		Receiver: rc,
		Drain:    50 * time.Millisecond,
	}
	res, err := p.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.Non2xx["503"] != 10 || res.Acked != 20 || res.Delivered != 10 || res.Lost != 10 {
		t.Errorf("non-2xx %v, tally %+v; want 10 refused, 20 acknowledged, 10 delivered, 10 lost", res.Non2xx, res.Tally)
	}
}

// The work a target does after its last call (a burst's runs' timers)
// counts with --settle: here this process spends 300 ms of CPU once the
// last event is delivered, which a phase without settling has already
// stopped reading; rates still end at the last delivery.
func TestPhaseSettleCountsWorkLeftBehind(t *testing.T) {
	rc, fwdURL := startForwarder(t, "hbhhhh-")
	const events = 20
	burnt := make(chan struct{})
	giveUp := time.Now().Add(20 * time.Second) // the goroutine ends even if the phase fails
	go func() {
		defer close(burnt)
		for rc.Delivered() < events {
			if time.Now().After(giveUp) {
				return
			}
			time.Sleep(time.Millisecond)
		}
		c0, _ := ReadProc(os.Getpid())
		for {
			c, _ := ReadProc(os.Getpid())
			if c.CPUSeconds-c0.CPUSeconds >= 0.3 || time.Now().After(giveUp) {
				return
			}
			for i := 0; i < 1e6; i++ { // spin between readings
				_ = i * i
			}
		}
	}()
	p := Phase{
		Name:     "settle",
		Shape:    Shape{Concurrency: 2, Count: events},
		Target:   &Target{URL: fwdURL + "/hooks/x", Client: NewClient(2, 10*time.Second), Body: func(tok string, seq int) []byte { return []byte(`{"id":"` + tok + `"}`) }, Sign: func(r *http.Request, _ []byte, id string) error { r.Header.Set("Webhook-Id", id); return nil }},
		Receiver: rc,
		Drain:    10 * time.Second,
		Settle:   3 * time.Second,
		Procs:    []Proc{{Role: "this test", PID: os.Getpid()}},
	}
	start := time.Now()
	res, err := p.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-burnt:
	default:
		t.Fatal("the phase ended before the work after its last call did")
	}
	if took := time.Since(start); took < p.Settle {
		t.Errorf("the phase took %v, want at least its settle of %v", took, p.Settle)
	}
	if res.Delivered != events || len(res.Procs) != 1 || res.Procs[0].CPUSeconds < 0.28 {
		t.Errorf("delivered %d, processes %+v; want %d and at least the 0.3 s of CPU spent after the last call", res.Delivered, res.Procs, events)
	}
	if res.DeliverSeconds >= p.Settle.Seconds() {
		t.Errorf("deliveries took %.1f s of the phase: the settle must not count in rates", res.DeliverSeconds)
	}
}

// A steady run reports windows: latency of the events sent in each, and
// the deliveries during it.
func TestPhaseWindows(t *testing.T) {
	rc, fwdURL := startForwarder(t, "hbhhhh-")
	p := Phase{
		Name:     "forwarder",
		Shape:    Shape{Rate: 200, Duration: 400 * time.Millisecond, MaxInFlight: 64},
		Target:   &Target{URL: fwdURL, Client: NewClient(64, 10*time.Second), Body: func(tok string, _ int) []byte { return []byte(`{"id":"` + tok + `"}`) }},
		Receiver: rc,
		Drain:    10 * time.Second,
		Procs:    []Proc{{Role: "this test", PID: os.Getpid()}},
		Window:   100 * time.Millisecond,
	}
	res, err := p.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.Registered != 80 || res.Delivered != 80 {
		t.Fatalf("tally %+v, want the 80 events scheduled in 400 ms at 200/s delivered", res.Tally)
	}
	if len(res.Windows) < 2 {
		t.Fatalf("windows %+v, want several", res.Windows)
	}
	var delivered, measured int64
	for _, w := range res.Windows {
		delivered += w.Delivered
		measured += w.EndToEnd.Count
		if w.StealWorst < 0 || w.StealWorst > res.StealWorst {
			t.Errorf("window %d: steal worst %v, want within [0, the phase's %v]", w.Index, w.StealWorst, res.StealWorst)
		}
	}
	if res.StealCores < 0 || res.StealCores > float64(runtime.NumCPU()) || res.StealWorst > 1 || res.StealWorstAt < 0 {
		t.Errorf("steal %v cores, worst %v at %v s; want a share of the machine", res.StealCores, res.StealWorst, res.StealWorstAt)
	}
	if delivered != 80 || measured != 80 {
		t.Errorf("windows count %d deliveries and %d latencies, want all 80 events (the last window too)", delivered, measured)
	}
}

// Each window reports the database's growth per event delivered in it;
// together they account for all of it.
func TestPhaseWindowsDatabaseGrowth(t *testing.T) {
	rc, fwdURL := startForwarder(t, "hbdddd-")
	db := t.TempDir() + "/target.db"
	f, err := os.OpenFile(db, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	const perEvent = 1024 // what the "target" writes for each event
	p := Phase{
		Name:  "forwarder",
		Shape: Shape{Rate: 200, Duration: 400 * time.Millisecond, MaxInFlight: 64},
		Target: &Target{URL: fwdURL, Client: NewClient(64, 10*time.Second), Body: func(tok string, _ int) []byte {
			if _, err := f.Write(make([]byte, perEvent)); err != nil {
				t.Error(err)
			}
			return []byte(`{"id":"` + tok + `"}`)
		}},
		Receiver: rc,
		Drain:    10 * time.Second,
		Procs:    []Proc{{Role: "this test", PID: os.Getpid()}},
		DB:       db,
		Window:   100 * time.Millisecond,
	}
	res, err := p.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.Delivered != 80 || res.DB == nil || res.DB.BytesPerEvent != perEvent {
		t.Fatalf("delivered %d, database %+v; want 80 events of %d bytes each", res.Delivered, res.DB, perEvent)
	}
	var grown float64
	for _, w := range res.Windows {
		grown += w.DBBytesPerEvent * float64(w.Delivered)
	}
	if want := float64(80 * perEvent); grown < want-1 || grown > want+1 {
		t.Errorf("the windows account for %.0f bytes of growth, want %.0f", grown, want)
	}
}
