package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
)

type countingQuerier struct{ n atomic.Int32 }

func (q *countingQuerier) QueryWorkflow(context.Context, string, string, string, ...any) (converter.EncodedValue, error) {
	q.n.Add(1)
	p, err := converter.GetDefaultDataConverter().ToPayloads(map[string]any{"crm": map[string]any{"up": true}})
	if err != nil {
		return nil, err
	}
	return encoded{p}, nil
}

type encoded struct{ p *commonpb.Payloads }

func (e encoded) HasValue() bool { return true }
func (e encoded) Get(v any) error {
	return converter.GetDefaultDataConverter().FromPayloads(e.p, v)
}

// /status on serve: the admin token is required, and a flood of GETs is
// answered from one query per statusTTL.
func TestStatusNeedsTokenAndIsCached(t *testing.T) {
	q := &countingQuerier{}
	snap := newStatusSnapshot(q)
	now := time.Unix(1700000000, 0)
	snap.now = func() time.Time { return now }
	h := requireToken(statusHandler(snap), "admin-token-0123456789", "/status")
	get := func(auth string) int {
		r := httptest.NewRequest("GET", "/status", nil)
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	if c := get(""); c != http.StatusUnauthorized {
		t.Errorf("no token: %d", c)
	}
	if c := get("Bearer wrong"); c != http.StatusUnauthorized {
		t.Errorf("wrong token: %d", c)
	}
	if q.n.Load() != 0 {
		t.Fatalf("an unauthorized GET queried the monitor")
	}
	for range 100 {
		if c := get("Bearer admin-token-0123456789"); c != 200 {
			t.Fatalf("with the token: %d", c)
		}
	}
	if n := q.n.Load(); n != 1 {
		t.Errorf("100 GETs made %d queries, want 1", n)
	}
	now = now.Add(statusTTL)
	get("Bearer admin-token-0123456789")
	if n := q.n.Load(); n != 2 {
		t.Errorf("after the TTL: %d queries, want 2", n)
	}
	disabled := requireToken(statusHandler(snap), "", "/status")
	w := httptest.NewRecorder()
	disabled.ServeHTTP(w, httptest.NewRequest("GET", "/status", nil))
	if w.Code != http.StatusNotFound {
		t.Errorf("serve without admin.token: %d", w.Code)
	}
}
