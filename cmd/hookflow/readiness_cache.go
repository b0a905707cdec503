package main

import (
	"context"
	"sync"
	"time"
)

// readyTTL is how long one readiness answer stands. /readyz is public on
// serve, and each fresh check is two Temporal calls; a probe flood costs
// Temporal at most one check per readyTTL.
const readyTTL = time.Second

// cachedReadiness answers from a result at most ttl old. Callers that arrive
// while a check runs wait for it and share its answer, so there is never
// more than one check in flight.
type cachedReadiness struct {
	check func(context.Context) error
	ttl   time.Duration
	now   func() time.Time

	mu  sync.Mutex
	at  time.Time
	err error
}

func newCachedReadiness(check func(context.Context) error, ttl time.Duration) *cachedReadiness {
	return &cachedReadiness{check: check, ttl: ttl, now: time.Now}
}

func (r *cachedReadiness) Ready(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.at.IsZero() && r.now().Sub(r.at) < r.ttl {
		return r.err
	}
	err := r.check(ctx)
	if err != nil && ctx.Err() != nil {
		return err // the caller gave up; that says nothing about Temporal
	}
	r.at, r.err = r.now(), err
	return err
}
