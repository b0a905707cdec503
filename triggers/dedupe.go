package triggers

import (
	"container/list"
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/hookflow/hookflow/triggers/verify"
)

// Body-hash dedupe. Schemes that sign neither a timestamp nor a delivery id
// (github, shopify, woocommerce, hmac without timestamp_header, bearer,
// basic) let anyone who captured one request replay its body under a fresh
// delivery id, which the workflow-id dedupe would take for a new event. So
// these triggers also remember sha256(body) for `dedupe_window` and answer a
// replay with the run the body first started.
//
// The cache lives in one `serve` process: behind a load balancer each
// instance remembers only what it saw. It is bounded per trigger (the least
// recently stored bodies of that trigger go first), so the senders of one
// trigger cannot flush another's memory and replay its bodies; and it
// records a body only after Temporal accepted its start, so a failed start
// never blocks the sender's retry.

// dedupeCapacity bounds each trigger's memory: about 100 bytes per entry.
const dedupeCapacity = 100_000

func defaultDedupeWindow(c verify.Config) time.Duration {
	scheme := strings.ToLower(strings.TrimSpace(c.Scheme))
	if scheme == "" || scheme == "none" || verify.SchemeDefaults(c).SignsTimestamp {
		return 0
	}
	return DefaultDedupeWindow
}

func parseWindow(s string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q is not a duration; write e.g. 24h or 30m, or 0 to disable", s)
	}
	return d, nil
}

type dedupeKey struct {
	trigger string
	sum     [sha256.Size]byte
}

func bodyKey(trigger string, body []byte) dedupeKey {
	return dedupeKey{trigger: trigger, sum: sha256.Sum256(body)}
}

type dedupeEntry struct {
	key     dedupeKey
	started Started
	expires time.Time
}

// dedupeCache is a bounded, expiring map from body hash to the run it
// started, with the starts in flight, so that concurrent replays of one body
// wait for the first instead of starting runs of their own.
type dedupeCache struct {
	now      func() time.Time
	capacity int

	mu       sync.Mutex
	orders   map[string]*list.List // per trigger, of *dedupeEntry, most recently stored first
	byKey    map[dedupeKey]*list.Element
	inflight map[dedupeKey]chan struct{}
}

func newDedupeCache(capacity int, now func() time.Time) *dedupeCache {
	return &dedupeCache{
		now:      now,
		capacity: capacity,
		orders:   map[string]*list.List{},
		byKey:    map[dedupeKey]*list.Element{},
		inflight: map[dedupeKey]chan struct{}{},
	}
}

// do returns the run stored for key, marked Duplicate, with replayed true;
// else it calls start and, if start succeeds, stores its run for window.
// While one start for a key is in flight, others for the same key wait.
func (c *dedupeCache) do(ctx context.Context, key dedupeKey, window time.Duration, start func() (Started, error)) (s Started, replayed bool, err error) {
	for {
		c.mu.Lock()
		if s, ok := c.lookup(key); ok {
			c.mu.Unlock()
			s.Duplicate = true
			return s, true, nil
		}
		wait, busy := c.inflight[key]
		if !busy {
			break // c.mu stays locked until the key is claimed
		}
		c.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return Started{}, false, errUnavailable{cause: ctx.Err()}
		}
	}
	done := make(chan struct{})
	c.inflight[key] = done
	c.mu.Unlock()

	returned := false // false if start panics: store nothing, free the waiters
	defer func() {
		c.mu.Lock()
		delete(c.inflight, key)
		if returned && err == nil {
			c.store(key, s, window)
		}
		c.mu.Unlock()
		close(done)
	}()
	s, err = start()
	returned = true
	return s, false, err
}

// lookup returns the unexpired run for key; c.mu is held.
func (c *dedupeCache) lookup(key dedupeKey) (Started, bool) {
	el, ok := c.byKey[key]
	if !ok {
		return Started{}, false
	}
	e := el.Value.(*dedupeEntry)
	if !c.now().Before(e.expires) {
		c.orders[key.trigger].Remove(el)
		delete(c.byKey, key)
		return Started{}, false
	}
	return e.started, true
}

// store records a run, evicting the trigger's oldest entries beyond
// capacity; c.mu is held.
func (c *dedupeCache) store(key dedupeKey, s Started, window time.Duration) {
	order := c.orders[key.trigger]
	if order == nil {
		order = list.New()
		c.orders[key.trigger] = order
	}
	if el, ok := c.byKey[key]; ok {
		order.Remove(el)
	}
	c.byKey[key] = order.PushFront(&dedupeEntry{key: key, started: s, expires: c.now().Add(window)})
	for order.Len() > c.capacity {
		oldest := order.Back()
		order.Remove(oldest)
		delete(c.byKey, oldest.Value.(*dedupeEntry).key)
	}
}

// len is the number of stored runs, expired ones included until looked up or evicted.
func (c *dedupeCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.byKey)
}
