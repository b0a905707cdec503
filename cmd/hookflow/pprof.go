package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
)

// pprofFlagHelp is the --pprof flag's help, the same in dev, serve and worker.
const pprofFlagHelp = "serve Go profiles (net/http/pprof) on this address, e.g. 127.0.0.1:6060; empty disables. They show the process's internals: keep it on loopback"

// servePprof serves /debug/pprof/ on its own address, never on the webhook
// server, so profiling is opt-in and cannot be reached through the door.
func servePprof(ctx context.Context, addr string, logger *slog.Logger) error {
	if addr == "" {
		return nil
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("pprof listener on %s: %w (choose another with --pprof)", addr, err)
	}
	if ip := l.Addr().(*net.TCPAddr).IP; !ip.IsLoopback() {
		logger.Warn("pprof is reachable beyond this machine; profiles expose the process's internals", "addr", l.Addr().String())
	}
	go func() {
		if err := serveHTTP(ctx, l, pprofMux()); err != nil {
			logger.Error("pprof server stopped", "error", err)
		}
	}()
	logger.Info("serving pprof", "addr", l.Addr().String())
	return nil
}

// pprofMux routes the standard profiles; a mux of its own, since
// net/http/pprof's init registers on http.DefaultServeMux.
func pprofMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}
