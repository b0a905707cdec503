package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/hookflow/hookflow/internal/telemetry"
)

// serveHTTP serves h on l until ctx ends, then shuts down gracefully.
func serveHTTP(ctx context.Context, l net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case err := <-errc:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func listen(addr string) (net.Listener, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w (choose another with --listen)", addr, err)
	}
	return l, nil
}

// route is a handler served beside /metrics, such as the worker's probes.
type route struct {
	pattern string
	handler http.Handler
}

// serveMetrics serves /metrics, and any extra routes, on its own address,
// apart from the webhooks.
func serveMetrics(ctx context.Context, addr string, m *telemetry.Metrics, logger *slog.Logger, routes ...route) error {
	if addr == "" {
		return nil
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("metrics listener on %s: %w (choose another with --metrics, or --metrics '' to disable)", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", m.Handler())
	for _, r := range routes {
		mux.Handle(r.pattern, r.handler)
	}
	go func() {
		if err := serveHTTP(ctx, l, mux); err != nil {
			logger.Error("metrics server stopped", "error", err)
		}
	}()
	logger.Info("serving metrics", "addr", l.Addr().String())
	return nil
}
