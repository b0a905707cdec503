package triggers

import (
	"container/list"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/hookflow/hookflow/integrations"
)

// RateLimit is a trigger's `rate_limit: 100/s` (also /m, /h) and `burst`.
type RateLimit struct {
	Spec  string  // as written, for messages: "100/s"
	PerS  float64 // events per second
	Burst int     // bucket size; default the per-second rate, at least 1
}

func parseRateLimit(s string) (*RateLimit, error) {
	perS, err := integrations.ParseRate(s)
	if err != nil {
		return nil, err
	}
	return &RateLimit{Spec: strings.TrimSpace(s), PerS: perS, Burst: max(1, int(math.Ceil(perS)))}, nil
}

func parseBurst(s string) (int, error) {
	b, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || b < 1 {
		return 0, fmt.Errorf("%q is not a burst size; write a whole number of requests, at least 1", s)
	}
	return b, nil
}

// limiters holds one token bucket per rate-limited trigger. The map is built
// once and only read afterwards; rate.Limiter is safe for concurrent use.
type limiters map[string]*rate.Limiter

func newLimiters(set *Set) limiters {
	out := limiters{}
	if set == nil {
		return out
	}
	for _, name := range set.Names() {
		t, _ := set.Get(name)
		if t.RateLimit != nil {
			out[name] = rate.NewLimiter(rate.Limit(t.RateLimit.PerS), t.RateLimit.Burst)
		}
	}
	return out
}

// take spends one token of t's bucket at now, or returns a *rateLimited
// error saying when a token will be free. Tokens are not spent on refusal.
func (l limiters) take(t *Trigger, now time.Time) error {
	lim, ok := l[t.Name]
	if !ok {
		return nil
	}
	r := lim.ReserveN(now, 1)
	if !r.OK() {
		return &rateLimited{trigger: t.Name, spec: t.RateLimit.Spec, retryAfter: time.Second}
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return &rateLimited{trigger: t.Name, spec: t.RateLimit.Spec, retryAfter: d}
	}
	return nil
}

// Unverified traffic. rate_limit counts only requests that passed
// verification, so a sender without the secret cannot spend the real
// sender's tokens. What it can still spend is the door's own work (reading a
// body, checking a signature), so failures are bounded per source address:
// each address may fail verification unverifiedBurst times, refilled by one
// every unverifiedEvery; past that its requests get 429 before their body is
// read. Only the connection's address counts (X-Forwarded-For is never
// trusted); IPv6 addresses count per /64, which one host usually holds whole.
const (
	unverifiedBurst = 20
	unverifiedEvery = time.Second
	// unverifiedSources bounds the addresses remembered; the least recently
	// failing go first (and start again with a full bucket).
	unverifiedSources = 10_000
)

// failures is the per-address failure budget, shared by every trigger and
// kept across reloads.
type failures struct {
	mu      sync.Mutex
	byAddr  map[netip.Prefix]*list.Element
	order   *list.List // of *failureBucket, most recent first
	burst   int
	every   time.Duration
	maxSize int
}

type failureBucket struct {
	addr netip.Prefix
	lim  *rate.Limiter
}

func newFailures() *failures {
	return &failures{byAddr: map[netip.Prefix]*list.Element{}, order: list.New(), burst: unverifiedBurst, every: unverifiedEvery, maxSize: unverifiedSources}
}

// source is the bucket key of remoteAddr ("ip:port"); ok is false when it
// cannot be read (such a request is not bounded here; allow_ips refuses it).
func source(remoteAddr string) (netip.Prefix, bool) {
	ap, err := netip.ParseAddrPort(remoteAddr)
	if err != nil {
		return netip.Prefix{}, false
	}
	a := ap.Addr().Unmap()
	bits := 32
	if a.Is6() {
		bits = 64
	}
	p, err := a.Prefix(bits)
	return p, err == nil
}

// check refuses an address whose failure budget is spent, saying when the
// next request may come; it spends nothing.
func (f *failures) check(remoteAddr string, now time.Time) error {
	addr, ok := source(remoteAddr)
	if !ok {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	el, ok := f.byAddr[addr]
	if !ok {
		return nil
	}
	lim := el.Value.(*failureBucket).lim
	if lim.TokensAt(now) >= 1 {
		return nil
	}
	r := lim.ReserveN(now, 1)
	d := r.DelayFrom(now)
	r.CancelAt(now)
	return &unverifiedLimited{retryAfter: max(d, time.Second)}
}

// fail spends one of the address's failures.
func (f *failures) fail(remoteAddr string, now time.Time) {
	addr, ok := source(remoteAddr)
	if !ok {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	el, ok := f.byAddr[addr]
	if ok {
		f.order.MoveToFront(el)
	} else {
		el = f.order.PushFront(&failureBucket{addr: addr, lim: rate.NewLimiter(rate.Every(f.every), f.burst)})
		f.byAddr[addr] = el
		for f.order.Len() > f.maxSize {
			oldest := f.order.Back()
			f.order.Remove(oldest)
			delete(f.byAddr, oldest.Value.(*failureBucket).addr)
		}
	}
	el.Value.(*failureBucket).lim.AllowN(now, 1)
}
