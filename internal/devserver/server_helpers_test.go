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
	return startServer(t, "")
}

// startServer starts a dev server on the database file (in memory for ""),
// without the UI and quiet, stopped when the test ends if the test has not
// stopped it before.
func startServer(t *testing.T, file string) *Server {
	t.Helper()
	s, err := Start(context.Background(), quietOptions(file))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}

// quietOptions are the options of a quiet dev server without the UI on the
// database file (in memory for "").
func quietOptions(file string) Options {
	return Options{UIPort: -1, DBFile: file, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
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
