package devdb

import (
	"slices"
	"testing"
)

func TestVisibilityFile(t *testing.T) {
	for path, want := range map[string]string{
		".hookflow/dev.db": ".hookflow/dev.visibility.db",
		"/tmp/bench.db":    "/tmp/bench.visibility.db",
		"runs":             "runs.visibility",
		"a.b/runs":         "a.b/runs.visibility",
	} {
		if got := VisibilityFile(path); got != want {
			t.Errorf("VisibilityFile(%q) = %q, want %q", path, got, want)
		}
	}
}

func TestFiles(t *testing.T) {
	got := Files("dev.db")
	want := []string{"dev.db", "dev.db-wal", "dev.db-shm", "dev.visibility.db", "dev.visibility.db-wal", "dev.visibility.db-shm"}
	if !slices.Equal(got, want) {
		t.Errorf("Files = %q, want %q", got, want)
	}
}

func TestLockFile(t *testing.T) {
	if got, want := LockFile(".hookflow/dev.db"), ".hookflow/dev.db.lock"; got != want {
		t.Errorf("LockFile = %q, want %q", got, want)
	}
}
