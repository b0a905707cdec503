package devserver

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/persistence/sql/sqlplugin"

	"github.com/hookflow/hookflow/internal/devdb"
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
	main, vis := sqlConfigs(t, o)
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

// TestWALStaysSmall: through Temporal's SQLite plugin, the WAL is
// checkpointed every walCheckpointPages, not SQLite's default of 1,000
// pages (8 MB of 8 KB pages).
func TestWALStaysSmall(t *testing.T) {
	db, file := runListDB(t, func(map[string]string) ([]string, []string) { return nil, nil }) // Temporal's indexes
	memo := make([]byte, 4096)                                                                 // a run's memo: the WAL fills in a few hundred writes
	var maxWAL int64
	for i := range 1000 {
		now := time.Now()
		row := &sqlplugin.VisibilityRow{NamespaceID: "ns", RunID: strconv.Itoa(i), WorkflowTypeName: "HandleEventV2", WorkflowID: strconv.Itoa(i),
			StartTime: now, ExecutionTime: now, Status: 2, CloseTime: &now, Memo: memo, Encoding: "Proto3", TaskQueue: "hookflow"}
		if _, err := db.ReplaceIntoVisibility(context.Background(), row); err != nil {
			t.Fatal(err)
		}
		if st, err := os.Stat(file + "-wal"); err == nil {
			maxWAL = max(maxWAL, st.Size())
		}
	}
	// The file keeps its high-water mark: the checkpoint threshold plus what
	// was written while it ran (6.1 MB here with 512 pages; 10.3 MB with
	// SQLite's default of 1,000).
	limit := int64(walCheckpointPages+256) * pageSize
	if maxWAL > limit || maxWAL == 0 {
		t.Errorf("WAL reached %d bytes, want at most %d (%d pages of %d bytes and some)", maxWAL, limit, walCheckpointPages, pageSize)
	}
}

// sqlConfigs makes o's main and run-list databases, as Start does.
func sqlConfigs(t *testing.T, o *Options) (main, vis *config.SQL) {
	t.Helper()
	main, err := o.sqlConfig()
	if err != nil {
		t.Fatal(err)
	}
	vis, err = o.visibilitySQLConfig(main)
	if err != nil {
		t.Fatal(err)
	}
	return main, vis
}

// TestEmptyDatabaseFilesGetTheSchema: an empty file where a database
// belongs (a crash right after creating it; `sqlite3 dev.visibility.db`
// makes one) is filled, not opened as it is, and made private.
func TestEmptyDatabaseFilesGetTheSchema(t *testing.T) {
	file := filepath.Join(t.TempDir(), "dev.db")
	for _, f := range []string{file, devdb.VisibilityFile(file)} {
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := Start(context.Background(), Options{UIPort: -1, DBFile: file, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	s.Stop()
	for _, f := range []string{file, devdb.VisibilityFile(file)} {
		st, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if st.Size() == 0 || st.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s: %d bytes, mode %v; want the schema and no access for others", filepath.Base(f), st.Size(), st.Mode().Perm())
		}
	}
}
