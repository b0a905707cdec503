package main

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"maps"
	"net/http"
	"strings"
	"sync"
	"time"

	"go.temporal.io/sdk/converter"

	"github.com/hookflow/hookflow/activities"
)

// /status shows integration health. Each answer used to be a workflow query,
// so anyone who could reach serve could make it query Temporal as fast as
// they could send GETs, and read the integrations' names and errors. Now
// answers come from a snapshot at most statusTTL old, and serve asks for the
// admin token, as the admin API does.

// statusTTL bounds how often /status queries the health monitor.
const statusTTL = 2 * time.Second

// healthQuerier is the part of the Temporal client /status needs.
type healthQuerier interface {
	QueryWorkflow(ctx context.Context, workflowID, runID, queryType string, args ...any) (converter.EncodedValue, error)
}

// statusSnapshot is the health monitor's answer, refreshed at most every ttl.
type statusSnapshot struct {
	q   healthQuerier
	ttl time.Duration
	now func() time.Time

	mu     sync.Mutex
	at     time.Time
	states map[string]activities.HealthState
	note   string
}

func newStatusSnapshot(q healthQuerier) *statusSnapshot {
	return &statusSnapshot{q: q, ttl: statusTTL, now: time.Now}
}

// get returns the states and a note for people; concurrent callers share
// one query.
func (s *statusSnapshot) get(ctx context.Context) (map[string]activities.HealthState, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.at.IsZero() && s.now().Sub(s.at) < s.ttl {
		return maps.Clone(s.states), s.note
	}
	states := map[string]activities.HealthState{}
	note := ""
	if v, err := s.q.QueryWorkflow(ctx, activities.HealthWorkflowID, "", activities.HealthQuery); err != nil {
		note = "no health monitor runs: add health_check to an integration"
	} else if err := v.Get(&states); err != nil {
		note = "health monitor answered unreadably: " + err.Error()
	}
	s.at, s.states, s.note = s.now(), states, note
	return maps.Clone(states), note
}

// requireToken lets through requests that send token as a bearer token;
// an empty token disables h (serve without admin.token has no /status).
func requireToken(h http.Handler, token, what string) http.Handler {
	want := sha256.Sum256([]byte(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if token == "" {
			writeStatusError(w, http.StatusNotFound, what+" is disabled; set admin.token in hookflow.yaml and send it as Authorization: Bearer <token>")
			return
		}
		scheme, got, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
		sum := sha256.Sum256([]byte(strings.TrimSpace(got)))
		if !ok || !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="hookflow admin"`)
			writeStatusError(w, http.StatusUnauthorized, "send the admin token as Authorization: Bearer <token>")
			return
		}
		h.ServeHTTP(w, r)
	})
}

func writeStatusError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}
