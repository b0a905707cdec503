package devserver

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookflow/hookflow/internal/devdb"
)

// walFile makes a WAL database file with a table and returns it with a
// writer configured as Temporal's connection is (fileSQLConfig).
func walFile(t *testing.T) (string, *sql.DB) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "dev.db")
	if err := setPageSize(file); err != nil {
		t.Fatal(err)
	}
	w, err := sql.Open("sqlite", "file:"+file+"?_pragma=synchronous(NORMAL)&_pragma=wal_autocheckpoint("+strconv.Itoa(walCheckpointPages)+")")
	if err != nil {
		t.Fatal(err)
	}
	w.SetMaxOpenConns(1)
	t.Cleanup(func() { w.Close() })
	if _, err := w.Exec("CREATE TABLE rows (b BLOB)"); err != nil {
		t.Fatal(err)
	}
	return file, w
}

func fileSize(t *testing.T, file string) int64 {
	t.Helper()
	st, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

// walFrames is how many frames the WAL holds, as the writer sees it.
func walFrames(t *testing.T, w *sql.DB) int64 {
	t.Helper()
	var busy, frames, copied int64
	// A PASSIVE checkpoint on a WAL with nothing new copies nothing; it
	// reports the WAL's length.
	if err := w.QueryRow("PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &copied); err != nil {
		t.Fatal(err)
	}
	return frames
}

// TestCheckpointerCopiesInTheBackground: commits below the WAL's bound
// leave the copying to the checkpointer, which does it on its own
// connection; the writer's next write after a complete copy starts the WAL
// over, so it does not grow.
func TestCheckpointerCopiesInTheBackground(t *testing.T) {
	file, w := walFile(t)
	before := fileSize(t, file)
	row := make([]byte, pageSize)
	const rows = 100 // well under walCheckpointPages: no commit checkpoints
	for range rows {
		if _, err := w.Exec("INSERT INTO rows VALUES (?)", row); err != nil {
			t.Fatal(err)
		}
	}
	if got := fileSize(t, file); got != before {
		t.Fatalf("the database file went from %d to %d bytes before any checkpoint: the writer copied the WAL itself", before, got)
	}

	c, err := startCheckpointer([]string{file}, 10*time.Millisecond, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	want := before + rows*pageSize
	deadline := time.Now().Add(10 * time.Second)
	for fileSize(t, file) < want {
		if time.Now().After(deadline) {
			t.Fatalf("after 10 s the database file holds %d bytes, want at least %d: the checkpointer copied no WAL", fileSize(t, file), want)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Everything is copied: the next write starts the WAL from its beginning.
	if _, err := w.Exec("INSERT INTO rows VALUES (?)", row); err != nil {
		t.Fatal(err)
	}
	if n := walFrames(t, w); n > 4 {
		t.Errorf("the WAL holds %d frames after a write that followed a complete copy; want it started over (a few frames)", n)
	}
}

// TestCheckpointerKeepsTheOtherFiles: a file the checkpointer cannot
// checkpoint (here: its connection closed) is reported once and does not
// stop the others, and close returns.
func TestCheckpointerKeepsTheOtherFiles(t *testing.T) {
	fileA, _ := walFile(t)
	fileB, wB := walFile(t)
	var log syncBuffer
	c, err := startCheckpointer([]string{fileA, fileB}, 10*time.Millisecond, slog.New(slog.NewTextHandler(&log, nil)))
	if err != nil {
		t.Fatal(err)
	}
	c.conns[0].db.Close() // every pass on A now fails
	before := fileSize(t, fileB)
	row := make([]byte, pageSize)
	for range 10 {
		if _, err := wB.Exec("INSERT INTO rows VALUES (?)", row); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for fileSize(t, fileB) < before+10*pageSize {
		if time.Now().After(deadline) {
			t.Fatal("the checkpointer stopped copying B's WAL when A's failed")
		}
		time.Sleep(10 * time.Millisecond)
	}
	done := make(chan struct{})
	go func() { c.close(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("close did not return")
	}
	out := log.String()
	if n := strings.Count(out, "background checkpoint failed"); n != 1 || !strings.Contains(out, fileA) {
		t.Errorf("log says %d times that a checkpoint failed, want once, naming %s:\n%s", n, fileA, out)
	}
}

// syncBuffer is a bytes.Buffer a logger on another goroutine can write.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestStartCheckpointsBothFiles: a dev server on a file runs the
// checkpointer on its main and run-list files, and stops it with itself.
func TestStartCheckpointsBothFiles(t *testing.T) {
	file := filepath.Join(t.TempDir(), "dev.db")
	s, err := Start(context.Background(), Options{UIPort: -1, DBFile: file, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if s.ckpt == nil || len(s.ckpt.conns) != 2 {
		s.Stop()
		t.Fatalf("checkpointer %+v, want one on each of the two files", s.ckpt)
	}
	for i, want := range []string{file, devdb.VisibilityFile(file)} {
		if got := s.ckpt.conns[i].file; got != want {
			t.Errorf("checkpointer file %d is %s, want %s", i, got, want)
		}
	}
	s.Stop()
	for _, cc := range s.ckpt.conns {
		if err := cc.db.Ping(); err == nil {
			t.Errorf("%s: the checkpointer's connection is still open after Stop", cc.file)
		}
	}
}
