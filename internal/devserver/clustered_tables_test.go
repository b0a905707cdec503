package devserver

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.temporal.io/server/chasm"
	"go.temporal.io/server/common/persistence/sql/sqlplugin"
)

// writeClusteredRows writes n rows into each of clusteredTables through
// Temporal's plugin, as the history service writes them.
func writeClusteredRows(t *testing.T, db sqlplugin.DB, n int) {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 12, 2, 7, 0, 0, 0, time.UTC)
	blob := bytes.Repeat([]byte{0x0a, 0x01}, 90)
	for i := range n {
		f := runFilter(fmt.Sprintf("event-%d", i))
		for _, w := range []func() (sql.Result, error){
			func() (sql.Result, error) {
				return db.InsertIntoTimerTasks(ctx, []sqlplugin.TimerTasksRow{{ShardID: 1, VisibilityTimestamp: now.Add(time.Duration(i) * time.Hour), TaskID: int64(3*i + 1), Data: blob, DataEncoding: "Proto3"}})
			},
			func() (sql.Result, error) {
				return db.InsertIntoTransferTasks(ctx, []sqlplugin.TransferTasksRow{{ShardID: 1, TaskID: int64(3*i + 2), Data: blob, DataEncoding: "Proto3"}})
			},
			func() (sql.Result, error) {
				return db.InsertIntoVisibilityTasks(ctx, []sqlplugin.VisibilityTasksRow{{ShardID: 1, TaskID: int64(3*i + 3), Data: blob, DataEncoding: "Proto3"}})
			},
			func() (sql.Result, error) {
				return db.InsertIntoCurrentExecutions(ctx, &sqlplugin.CurrentExecutionsRow{ShardID: f.ShardID, NamespaceID: f.NamespaceID, WorkflowID: f.WorkflowID, RunID: f.RunID,
					ArchetypeID: chasm.WorkflowArchetypeID, CreateRequestID: "req", StartTime: &now, LastWriteVersion: 1, State: 1, Status: 1, Data: blob, DataEncoding: "Proto3"})
			},
			func() (sql.Result, error) {
				return db.InsertIntoHistoryTree(ctx, &sqlplugin.HistoryTreeRow{ShardID: f.ShardID, TreeID: f.RunID, BranchID: f.RunID, Data: blob, DataEncoding: "Proto3"})
			},
		} {
			if _, err := w(); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// tableDump is every row of each clustered table, in primary-key order and
// as text (tableRows), and each table's definition.
type tableDump struct {
	rows   map[string][]string
	schema map[string]string
}

func dumpClusteredTables(t *testing.T, file string) tableDump {
	t.Helper()
	d := tableDump{rows: map[string][]string{}, schema: map[string]string{}}
	for _, table := range clusteredTables {
		schema := column(t, file, `SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = '`+table+`'`)
		if len(schema) != 1 {
			t.Fatalf("%s: %d definitions, want 1", table, len(schema))
		}
		d.schema[table] = schema[0]
		d.rows[table] = tableRows(t, file, `SELECT * FROM `+table+` ORDER BY 1, 2, 3`)
	}
	return d
}

// TestClusterTablesKeepsRowsAndKeys: an older file's small tables become
// WITHOUT ROWID tables with the same rows and no primary-key index beside
// them; Temporal's statements then run on them unchanged, their primary
// keys still refuse a duplicate, and a second conversion does nothing.
func TestClusterTablesKeepsRowsAndKeys(t *testing.T) {
	file := filepath.Join(t.TempDir(), "dev.db")
	writeClusteredRows(t, openMainDB(t, file, false), 50)
	before := dumpClusteredTables(t, file)

	moved, err := clusterTables(file, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range clusteredTables {
		if moved[table] != 50 {
			t.Errorf("%s: %d rows moved, want 50", table, moved[table])
		}
	}
	after := dumpClusteredTables(t, file)
	for _, table := range clusteredTables {
		if want := before.schema[table] + " WITHOUT ROWID"; after.schema[table] != want {
			t.Errorf("%s after the conversion:\n%s\nwant Temporal's definition WITHOUT ROWID:\n%s", table, after.schema[table], want)
		}
		if len(after.rows[table]) != 50 || !reflect.DeepEqual(after.rows[table], before.rows[table]) {
			t.Errorf("%s: %d rows after the conversion, want the 50 before, unchanged", table, len(after.rows[table]))
		}
	}
	if indexes := column(t, file, `SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name IN ('`+strings.Join(clusteredTables, "', '")+`')`); len(indexes) > 0 {
		t.Errorf("indexes beside the clustered tables: %v, want none", indexes)
	}
	if again, err := clusterTables(file, nil); err != nil || again != nil {
		t.Errorf("a second conversion: %v (%v), want nothing done", again, err)
	}

	// Temporal's statements, through the dev server's plugin.
	db := openMainDB(t, file, true)
	ctx := context.Background()
	f := runFilter("event-7")
	got, err := db.SelectFromCurrentExecutions(ctx, sqlplugin.CurrentExecutionsFilter{ShardID: f.ShardID, NamespaceID: f.NamespaceID, WorkflowID: f.WorkflowID, ArchetypeID: chasm.WorkflowArchetypeID})
	if err != nil || got.CreateRequestID != "req" {
		t.Fatalf("a current run read back: %+v (%v)", got, err)
	}
	now := time.Now()
	if _, err := db.InsertIntoCurrentExecutions(ctx, &sqlplugin.CurrentExecutionsRow{ShardID: f.ShardID, NamespaceID: f.NamespaceID, WorkflowID: f.WorkflowID, RunID: f.RunID,
		ArchetypeID: chasm.WorkflowArchetypeID, CreateRequestID: "again", StartTime: &now, Data: []byte{1}, DataEncoding: "Proto3"}); err == nil {
		t.Error("a second current run for the same workflow id was written; the primary key no longer holds")
	}
	if _, err := db.RangeDeleteFromTransferTasks(ctx, sqlplugin.TransferTasksRangeFilter{ShardID: 1, InclusiveMinTaskID: 0, ExclusiveMaxTaskID: 3*25 + 2}); err != nil {
		t.Fatal(err)
	}
	left, err := db.RangeSelectFromTransferTasks(ctx, sqlplugin.TransferTasksRangeFilter{ShardID: 1, InclusiveMinTaskID: 0, ExclusiveMaxTaskID: 1 << 40, PageSize: 100})
	if err != nil || len(left) != 25 || left[0].TaskID != 3*25+2 {
		t.Errorf("transfer tasks after a range delete: %d (%v), want the last 25 from task %d", len(left), err, 3*25+2)
	}
}

// TestClusterTablesInterruptedLeavesFileAsItWas: a conversion that fails
// part way (here at its last table) changes none of the tables.
func TestClusterTablesInterruptedLeavesFileAsItWas(t *testing.T) {
	file := filepath.Join(t.TempDir(), "dev.db")
	writeClusteredRows(t, openMainDB(t, file, false), 20)
	last := clusteredTables[len(clusteredTables)-1]
	if _, err := openFile(t, file).Exec(`CREATE TABLE ` + last + `_by_rowid (x)`); err != nil { // the name the conversion renames to
		t.Fatal(err)
	}
	before := dumpClusteredTables(t, file)
	moved, err := clusterTables(file, nil)
	if err == nil || !strings.Contains(err.Error(), last) {
		t.Fatalf("clusterTables = %v, %v; want an error naming %s", moved, err, last)
	}
	if after := dumpClusteredTables(t, file); !reflect.DeepEqual(after, before) {
		t.Errorf("the failed conversion changed the file:\nbefore %v\nafter  %v", before.schema, after.schema)
	}
}

// TestClusteredTablesWriteFewerPages: a run's start transaction, as the
// history service writes it, puts fewer pages into the WAL when the small
// tables have no primary-key index beside them.
func TestClusteredTablesWriteFewerPages(t *testing.T) {
	frames := func(clustered bool) int64 {
		file := filepath.Join(t.TempDir(), "dev.db")
		if err := createDatabase(fileSQLConfig(file)); err != nil {
			t.Fatal(err)
		}
		if clustered {
			if _, err := clusterTables(file, nil); err != nil {
				t.Fatal(err)
			}
		}
		conf := fileSQLConfig(file)
		conf.ConnectAttributes["wal_autocheckpoint"] = "0" // every page written stays in the WAL
		db := openSQLDB(t, preparedStore(conf))
		for i := range 1000 {
			if err := runStartTransaction(context.Background(), db, i, make([]byte, 1800)); err != nil {
				t.Fatal(err)
			}
		}
		st, err := os.Stat(file + "-wal")
		if err != nil {
			t.Fatal(err)
		}
		return (st.Size() - 32) / (pageSize + 24) // the WAL's header, then frames of a header and a page
	}
	rowid, clustered := frames(false), frames(true)
	t.Logf("WAL frames for 1,000 run starts: %d with Temporal's tables, %d with the clustered ones (%.2f)", rowid, clustered, float64(clustered)/float64(rowid))
	if clustered*10 > rowid*9 {
		t.Errorf("the clustered tables wrote %d pages, want at least 10%% fewer than Temporal's %d", clustered, rowid)
	}
}

// TestServerClustersTablesOfAnOlderFile: a file made before the dev server
// kept its small tables WITHOUT ROWID gets them, with their rows, when a
// server starts on it; the conversion happens, and is logged, once.
func TestServerClustersTablesOfAnOlderFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "dev.db")
	old := openMainDB(t, file, false)
	ctx := context.Background()
	due := time.Now().UTC().Add(7 * 24 * time.Hour) // not due while the test runs
	if _, err := old.InsertIntoTimerTasks(ctx, []sqlplugin.TimerTasksRow{{ShardID: 1, VisibilityTimestamp: due, TaskID: 7, Data: []byte("kept"), DataEncoding: "Proto3"}}); err != nil {
		t.Fatal(err)
	}
	f := runFilter("an-older-event")
	if _, err := old.InsertIntoHistoryTree(ctx, &sqlplugin.HistoryTreeRow{ShardID: f.ShardID, TreeID: f.RunID, BranchID: f.RunID, Data: []byte("kept"), DataEncoding: "Proto3"}); err != nil {
		t.Fatal(err)
	}
	old.Close()

	for start := range 2 {
		var log bytes.Buffer
		s, err := Start(context.Background(), Options{UIPort: -1, DBFile: file, Logger: slog.New(slog.NewTextHandler(&log, nil))})
		if err != nil {
			t.Fatal(err)
		}
		s.Stop()
		for _, table := range clusteredTables {
			said := strings.Contains(log.String(), "rebuilding a table keyed by its primary key") && strings.Contains(log.String(), "table="+table)
			if said != (start == 0) {
				t.Errorf("start %d: the conversion of %s announced: %v, want only on the first start\n%s", start+1, table, said, log.String())
			}
		}
		for _, table := range []string{"timer_tasks", "history_tree"} {
			said := strings.Contains(log.String(), "table="+table+" rows=1")
			if said != (start == 0) {
				t.Errorf("start %d: the conversion of %s logged: %v, want only on the first start\n%s", start+1, table, said, log.String())
			}
		}
		d := dumpClusteredTables(t, file)
		for _, table := range clusteredTables {
			if !strings.HasSuffix(d.schema[table], "WITHOUT ROWID") {
				t.Fatalf("%s after a start: %s", table, d.schema[table])
			}
		}
		for _, table := range []string{"timer_tasks", "history_tree"} {
			kept := 0
			for _, row := range d.rows[table] { // beside the server's own
				if strings.Contains(row, fmt.Sprintf("data=%v;", []byte("kept"))) {
					kept++
				}
			}
			if kept != 1 {
				t.Fatalf("the older file's %s: %d of its rows after a start, want it kept", table, kept)
			}
		}
	}
}

// TestServerMakesNewFilesClustered: a new file's tables are WITHOUT ROWID
// from its first start, with nothing to announce.
func TestServerMakesNewFilesClustered(t *testing.T) {
	file := filepath.Join(t.TempDir(), "dev.db")
	var log bytes.Buffer
	s, err := Start(context.Background(), Options{UIPort: -1, DBFile: file, Logger: slog.New(slog.NewTextHandler(&log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	s.Stop()
	if strings.Contains(log.String(), "rebuilding") || strings.Contains(log.String(), "rebuilt") {
		t.Errorf("a new file's start announced a rebuild:\n%s", log.String())
	}
	d := dumpClusteredTables(t, file)
	for _, table := range clusteredTables {
		if !strings.HasSuffix(d.schema[table], "WITHOUT ROWID") {
			t.Errorf("%s in a new file: %s", table, d.schema[table])
		}
	}
}
