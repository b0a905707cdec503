package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
)

func TestPprofServesProfilesOnItsOwnAddress(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := servePprof(ctx, addr, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + addr + "/debug/pprof/heap?debug=1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "heap profile") {
		t.Errorf("heap profile: %d %.200s", resp.StatusCode, body)
	}
	// Taken, the address is a clear error.
	if err := servePprof(ctx, addr, slog.New(slog.DiscardHandler)); err == nil || !strings.Contains(err.Error(), "--pprof") {
		t.Errorf("second listener on %s: %v, want an error naming --pprof", addr, err)
	}
	if err := servePprof(ctx, "", slog.New(slog.DiscardHandler)); err != nil {
		t.Errorf("empty --pprof must disable profiling, got %v", err)
	}
}

func TestPprofFlagInDevServeAndWorker(t *testing.T) {
	for _, cmd := range []string{"dev", "serve", "worker"} {
		var out strings.Builder
		_ = run(context.Background(), []string{cmd, "--help"}, func(string) (string, bool) { return "", false }, &out, &out)
		if !strings.Contains(out.String(), "--pprof") {
			t.Errorf("%s --help has no --pprof flag:\n%s", cmd, out.String())
		}
	}
}
