package main

import (
	"context"
	"encoding/json"
	"net/http"
	"time"
)

// workerProbes are the worker's /healthz and /readyz, served beside its
// /metrics, for an orchestrator's liveness and readiness checks: alive
// while the process answers; ready while Temporal answers and the hookflow
// task queue has a poller, as for serve.
func workerProbes(ready func(context.Context) error) []route {
	answer := func(w http.ResponseWriter, status int, body map[string]string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(body)
	}
	return []route{
		{"/healthz", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			answer(w, http.StatusOK, map[string]string{"status": "ok"})
		})},
		{"/readyz", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
			defer cancel()
			if err := ready(ctx); err != nil {
				answer(w, http.StatusServiceUnavailable, map[string]string{"error": err.Error()})
				return
			}
			answer(w, http.StatusOK, map[string]string{"status": "ready"})
		})},
	}
}
