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
	return serveDraining(ctx, l, h, drain{timeout: 10 * time.Second})
}

// drain is how a server leaves when ctx ends (SIGTERM): it goes unready
// (begin) and keeps serving for delay, so load balancers stop sending it
// requests; then it stops accepting, lets the requests in flight finish for
// up to timeout, and returns.
type drain struct {
	delay   time.Duration
	timeout time.Duration
	begin   func()
	logger  *slog.Logger
}

func serveDraining(ctx context.Context, l net.Listener, h http.Handler, d drain) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case err := <-errc:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	if d.begin != nil {
		d.begin()
	}
	if d.delay > 0 {
		// Answers now say Connection: close, so keep-alive clients come back
		// through the load balancer, to another instance.
		srv.SetKeepAlivesEnabled(false)
		if d.logger != nil {
			d.logger.Info("draining: /readyz answers 503; still serving", "for", d.delay.String())
		}
		select {
		case <-time.After(d.delay):
		case err := <-errc:
			return fmt.Errorf("http server: %w", err)
		}
	}
	if d.logger != nil {
		d.logger.Info("no longer accepting connections; finishing requests in flight", "timeout", d.timeout.String())
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), d.timeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("requests still in flight after %s were cut: %w", d.timeout, err)
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
