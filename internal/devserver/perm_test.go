package devserver

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The dev database holds every run's payloads: it is created for this user
// alone (it was world-readable).
func TestDatabaseIsPrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), ".hookflow")
	db := filepath.Join(dir, "dev.db")
	o := &Options{DBFile: db, Namespace: "default", Retention: 24 * time.Hour}
	if _, err := o.sqlConfig(); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{dir, db, db + "-wal", db + "-shm"} {
		st, err := os.Stat(p)
		if os.IsNotExist(err) && p != dir && p != db {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s has mode %v, want no access for group and others", p, st.Mode().Perm())
		}
	}
}
