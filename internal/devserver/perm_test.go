package devserver

import (
	"database/sql"
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

// TestNewDatabasePageSize: new database files get 8 KB pages (SQLite's
// default is 4 KB), the main file and the run list's.
func TestNewDatabasePageSize(t *testing.T) {
	file := filepath.Join(t.TempDir(), "dev.db")
	o := &Options{DBFile: file, Namespace: "default", Retention: 24 * time.Hour}
	main, err := o.sqlConfig()
	if err != nil {
		t.Fatal(err)
	}
	vis, err := o.visibilitySQLConfig(main)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{main.DatabaseName, vis.DatabaseName} {
		db, err := sql.Open("sqlite", "file:"+f)
		if err != nil {
			t.Fatal(err)
		}
		var got int
		err = db.QueryRow("PRAGMA page_size").Scan(&got)
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got != pageSize {
			t.Errorf("%s: page size %d, want %d", filepath.Base(f), got, pageSize)
		}
	}
}
