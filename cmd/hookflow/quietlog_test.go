package main

import (
	"bytes"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
)

// TestQuietLogger: the embedded server's noise is dropped, its errors are
// not, and once stopping only errors pass.
func TestQuietLogger(t *testing.T) {
	var buf bytes.Buffer
	stopping := new(atomic.Bool)
	l := newQuietLogger(slog.New(slog.NewTextHandler(&buf, nil)), stopping).With("service", "frontend")
	l.Warn("GetHistory page size is larger than threshold", "size", 1000)
	l.Warn("a real warning")
	stopping.Store(true)
	l.Warn("Failed to poll for task.")
	l.Info("Stopped Worker")
	l.Error("a real error")
	got := buf.String()
	if strings.Contains(got, "page size") || strings.Contains(got, "poll") || strings.Contains(got, "Stopped") ||
		!strings.Contains(got, "a real warning") || !strings.Contains(got, "a real error") || !strings.Contains(got, "service=frontend") {
		t.Fatalf("logged:\n%s", got)
	}
}
