package devserver

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"runtime/pprof"
	"testing"
)

// startMemoryServer starts a dev server on an in-memory database, without
// the UI, stopped when the test ends.
func startMemoryServer(t *testing.T) *Server {
	t.Helper()
	s, err := Start(context.Background(), Options{UIPort: -1, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}

// goroutineDump is every goroutine's stack, as a panic prints them.
func goroutineDump(t *testing.T) string {
	t.Helper()
	var dump bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&dump, 2); err != nil {
		t.Fatal(err)
	}
	return dump.String()
}
