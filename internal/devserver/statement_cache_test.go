package devserver

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"go.temporal.io/server/chasm"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/metrics"
	persistencesql "go.temporal.io/server/common/persistence/sql"
	"go.temporal.io/server/common/persistence/sql/sqlplugin"
	"go.temporal.io/server/common/resolver"
	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// TestTemporalRunsCompiledStatements: Temporal's SQLite plugin keeps the
// connection it runs statements on where the cache goes (a Temporal
// upgrade that moves it fails here), and through the cache a run's state
// written in transactions — the first meeting its statements, the next
// running them compiled — leaves the same rows as Temporal's plugin writing
// it as text; a rolled-back transaction leaves nothing; a batch of rows,
// which sqlx expands into a longer statement, is written too; closed, the
// cache runs statements as text.
func TestTemporalRunsCompiledStatements(t *testing.T) {
	dir := t.TempDir()
	temporalFile, ourFile := filepath.Join(dir, "temporal.db"), filepath.Join(dir, "ours.db")
	temporal := openMainDB(t, temporalFile, false)
	ours, ok := openMainDB(t, ourFile, true).(*preparedDB)
	if !ok || ours.stmts == nil {
		t.Fatal("Temporal's SQLite plugin has no sqlplugin.Conn field named conn any more: the dev server compiles nothing")
	}
	if c, ok := (*temporalConn(ours.DB)).(cachedConn); !ok || c.tx != nil {
		t.Fatalf("the plugin's connection is %T, want the cache", *temporalConn(ours.DB))
	}

	ctx := context.Background()
	full, more, bare, rolledBack := runFilter("orders/full"), runFilter("orders/more"), runFilter("orders/bare"), runFilter("orders/rolled-back")
	inTx := func(db sqlplugin.DB, write func(sqlplugin.Tx), commit bool) {
		t.Helper()
		tx, err := db.BeginTx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		write(tx)
		if !commit {
			if err := tx.Rollback(); err != nil {
				t.Fatal(err)
			}
			return
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	var compiledInTx []int64
	for _, db := range []sqlplugin.DB{temporal, ours} {
		for _, f := range []sqlplugin.ExecutionsFilter{full, more} {
			before := compiledRuns.tx.Load()
			inTx(db, func(tx sqlplugin.Tx) {
				if db == ours {
					if c, ok := (*temporalConn(tx)).(cachedConn); !ok || c.tx == nil {
						t.Fatalf("the transaction's connection is %T, want the cache", *temporalConn(tx))
					}
				}
				writeRunState(t, tx, f, 0)
			}, true)
			if db == ours {
				compiledInTx = append(compiledInTx, compiledRuns.tx.Load()-before)
			}
		}
		inTx(db, func(tx sqlplugin.Tx) { writeRunState(t, tx, bare, -1) }, true)
		inTx(db, func(tx sqlplugin.Tx) { writeRunState(t, tx, rolledBack, 0) }, false)
		// Two rows at once: sqlx writes them with a statement of their own.
		rows := []sqlplugin.TimerInfoMapsRow{
			{ShardID: full.ShardID, NamespaceID: full.NamespaceID, WorkflowID: full.WorkflowID, RunID: full.RunID, TimerID: "batch-1", Data: []byte("b1"), DataEncoding: "Proto3"},
			{ShardID: full.ShardID, NamespaceID: full.NamespaceID, WorkflowID: full.WorkflowID, RunID: full.RunID, TimerID: "batch-2", Data: []byte("b2"), DataEncoding: "Proto3"},
		}
		if _, err := db.ReplaceIntoTimerInfoMaps(ctx, rows); err != nil {
			t.Fatal(err)
		}
	}
	// The first transaction met its 17 statements (the execution row and
	// two rows in each of eight tables); the second ran them compiled.
	if !reflect.DeepEqual(compiledInTx, []int64{0, 17}) {
		t.Errorf("statements run compiled in the two transactions: %v, want [0 17]", compiledInTx)
	}

	for _, table := range []string{"executions", "activity_info_maps", "timer_info_maps", "child_execution_info_maps", "request_cancel_info_maps",
		"signal_info_maps", "signals_requested_sets", "chasm_node_maps", "buffered_events"} {
		q := "SELECT * FROM " + table + " ORDER BY 1, 2, 3, 4, 5"
		want, got := tableRows(t, temporalFile, q), tableRows(t, ourFile, q)
		if len(want) == 0 || !reflect.DeepEqual(got, want) {
			t.Errorf("%s differs from Temporal's:\n got %q\nwant %q (and not none)", table, got, want)
		}
	}
	if _, err := ours.SelectFromExecutions(ctx, rolledBack); err != sql.ErrNoRows {
		t.Errorf("the rolled-back run: %v, want sql.ErrNoRows", err)
	}
	timers, err := ours.SelectAllFromTimerInfoMaps(ctx, sqlplugin.TimerInfoMapsAllFilter(full))
	if err != nil || len(timers) != 4 {
		t.Errorf("timers of the full run: %d (%v), want 2 and the batch of 2", len(timers), err)
	}

	ours.stmts.close()
	compiled := compiledRuns.plain.Load()
	if _, err := ours.SelectFromExecutions(ctx, full); err != nil {
		t.Fatalf("after the cache closed: %v", err)
	}
	if compiledRuns.plain.Load() != compiled {
		t.Error("a closed cache still ran a statement compiled")
	}
}

// TestStatementCacheRunsWhatFailsToCompileAsText: a statement SQLite does
// not compile is run as text, with SQLite's error, and not compiled again.
func TestStatementCacheRunsWhatFailsToCompileAsText(t *testing.T) {
	ours := openMainDB(t, filepath.Join(t.TempDir(), "dev.db"), true).(*preparedDB)
	conn := *temporalConn(ours.DB)
	for range 2 {
		if _, err := conn.ExecContext(context.Background(), "UPDATE no_such_table SET x = 1"); err == nil || !strings.Contains(err.Error(), "no_such_table") {
			t.Fatalf("error %v, want SQLite's about no_such_table", err)
		}
	}
	ours.stmts.mu.Lock()
	defer ours.stmts.mu.Unlock()
	if s, ok := ours.stmts.plain["UPDATE no_such_table SET x = 1"]; !ok || s != nil {
		t.Fatalf("the failed statement is cached as %v (%v), want remembered as text", s, ok)
	}
}

// TestCompiledLimitsStayCompiled: a kept statement with LIMIT ? (Temporal's
// task-queue reads) runs again and again with new limits without SQLite
// compiling it anew, and returns the rows the limit allows.
func TestCompiledLimitsStayCompiled(t *testing.T) {
	ours := openMainDB(t, filepath.Join(t.TempDir(), "dev.db"), true).(*preparedDB)
	conn := *temporalConn(ours.DB)
	ctx := context.Background()
	for id := range 30 {
		if _, err := conn.ExecContext(ctx, "INSERT INTO transfer_tasks (shard_id, task_id, data, data_encoding) VALUES (1, ?, x'00', 'proto3')", id); err != nil {
			t.Fatal(err)
		}
	}
	const query = "SELECT task_id FROM transfer_tasks WHERE shard_id = ? AND task_id >= ? AND task_id < ? ORDER BY task_id LIMIT ?"
	for limit := range 20 {
		var ids []int64
		if err := conn.SelectContext(ctx, &ids, query, 1, 0, 1000, limit); err != nil {
			t.Fatal(err)
		}
		if len(ids) != limit {
			t.Fatalf("LIMIT %d returned %d rows", limit, len(ids))
		}
	}
	ours.stmts.mu.Lock()
	compiled := ours.stmts.plain[query] != nil
	ours.stmts.mu.Unlock()
	if !compiled {
		t.Fatal("the statement is not kept compiled")
	}
	if n := recompiled(t, ours.stmts.db, "FROM transfer_tasks"); n != 0 {
		t.Errorf("SQLite compiled the kept statement %d more times in 20 runs, want none", n)
	}
}

// recompiled sums SQLite's count of recompilations (sqlite3_stmt_status
// SQLITE_STMTSTATUS_REPREPARE) over the statements compiled on db's
// connection whose text contains part; it fails the test if there is none.
func recompiled(t *testing.T, db *sqlx.DB, part string) int {
	t.Helper()
	n, found := 0, 0
	eachCompiled(t, db, func(tls *libc.TLS, stmt uintptr, text string) {
		if strings.Contains(text, part) {
			found++
			n += int(sqlite3.Xsqlite3_stmt_status(tls, stmt, sqlite3.SQLITE_STMTSTATUS_REPREPARE, 0))
		}
	})
	if found == 0 {
		t.Fatalf("no statement with %q compiled on the connection", part)
	}
	return n
}

// eachCompiled calls f with each statement compiled on db's connection and
// its text.
func eachCompiled(t *testing.T, db *sqlx.DB, f func(tls *libc.TLS, stmt uintptr, text string)) {
	t.Helper()
	c, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	err = c.Raw(func(dc any) error {
		h := reflect.ValueOf(dc).Elem().FieldByName("db") // modernc.org/sqlite's connection handle
		if !h.IsValid() || h.Kind() != reflect.Uintptr {
			return fmt.Errorf("%T has no db handle", dc)
		}
		tls := libc.NewTLS()
		defer tls.Close()
		for s := sqlite3.Xsqlite3_next_stmt(tls, uintptr(h.Uint()), 0); s != 0; s = sqlite3.Xsqlite3_next_stmt(tls, uintptr(h.Uint()), s) {
			f(tls, s, libc.GoString(sqlite3.Xsqlite3_sql(tls, s)))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestStatementCacheLeavesOtherPlugins: a database without Temporal's
// connection field gets no cache (the dev server then runs as Temporal's
// plugin does, and says so).
func TestStatementCacheLeavesOtherPlugins(t *testing.T) {
	type otherDB struct {
		sqlplugin.DB
		conn *sql.DB // not a sqlplugin.Conn
	}
	if c := useStatementCache(&otherDB{}); c != nil {
		t.Fatal("a cache in a database that keeps no sqlplugin.Conn")
	}
	if temporalConn(otherDB{}) != nil {
		t.Fatal("a connection field found in a value that is not a pointer")
	}
}

// openMainDB opens file as the history service's database, through
// preparedPlugin or Temporal's plugin, creating it with Temporal's schema
// when it is not there.
func openMainDB(t testing.TB, file string, prepared bool) sqlplugin.DB {
	t.Helper()
	conf := fileSQLConfig(file)
	if _, err := os.Stat(file); errors.Is(err, os.ErrNotExist) {
		if err := createDatabase(conf); err != nil {
			t.Fatal(err)
		}
	}
	if prepared {
		conf = preparedStore(conf)
	}
	return openSQLDB(t, conf)
}

// openSQLDB is Temporal's main store on conf, closed when the test ends.
func openSQLDB(t testing.TB, conf *config.SQL) sqlplugin.DB {
	t.Helper()
	db, err := persistencesql.NewSQLDB(sqlplugin.DbKindMain, conf, resolver.NewNoopResolver(), log.NewNoopLogger(), metrics.NoopMetricsHandler)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// BenchmarkRunStartTransaction is the transaction that starts a webhook
// run, as the history service writes it (runStartTransaction), through
// Temporal's plugin on Temporal's tables, through the dev server's plugin
// (whose statements are compiled once) on Temporal's tables, and through
// the dev server's plugin on the tables as the dev server keeps them
// (clustered_tables.go).
func BenchmarkRunStartTransaction(b *testing.B) {
	for _, v := range []struct {
		name                string
		prepared, clustered bool
	}{{"temporal", false, false}, {"dev-rowid", true, false}, {"dev", true, true}} {
		b.Run(v.name, func(b *testing.B) {
			file := filepath.Join(b.TempDir(), "dev.db")
			if v.clustered {
				if err := createDatabase(fileSQLConfig(file)); err != nil {
					b.Fatal(err)
				}
				if _, err := clusterTables(file, nil); err != nil {
					b.Fatal(err)
				}
			}
			db := openMainDB(b, file, v.prepared)
			blob := make([]byte, 1800) // a start batch's size
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				if err := runStartTransaction(context.Background(), db, i, blob); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// runStartTransaction is the i-th run's start as the history service
// writes it: the run's row, its workflow id's current run, its first
// history batch (blob), a timer, a transfer and a run-list task.
func runStartTransaction(ctx context.Context, db sqlplugin.DB, i int, blob []byte) error {
	f := runFilter(fmt.Sprintf("bench/%d", i))
	now := time.Now().UTC()
	tx, err := db.BeginTx(ctx)
	if err != nil {
		return err
	}
	writes := []func() (sql.Result, error){
		func() (sql.Result, error) {
			return tx.InsertIntoExecutions(ctx, &sqlplugin.ExecutionsRow{ShardID: f.ShardID, NamespaceID: f.NamespaceID, WorkflowID: f.WorkflowID, RunID: f.RunID,
				NextEventID: 4, LastWriteVersion: 1, Data: blob[:1200], DataEncoding: "Proto3", State: blob[:180], StateEncoding: "Proto3", DBRecordVersion: 1})
		},
		func() (sql.Result, error) {
			return tx.InsertIntoCurrentExecutions(ctx, &sqlplugin.CurrentExecutionsRow{ShardID: f.ShardID, NamespaceID: f.NamespaceID, WorkflowID: f.WorkflowID, RunID: f.RunID,
				ArchetypeID: chasm.WorkflowArchetypeID, CreateRequestID: "req", StartTime: &now, LastWriteVersion: 1, State: 1, Status: 1, Data: blob[:180], DataEncoding: "Proto3"})
		},
		func() (sql.Result, error) {
			return tx.InsertIntoHistoryNode(ctx, &sqlplugin.HistoryNodeRow{ShardID: f.ShardID, TreeID: f.RunID, BranchID: f.RunID, NodeID: 1, TxnID: int64(i), Data: blob, DataEncoding: "Proto3"})
		},
		func() (sql.Result, error) {
			return tx.InsertIntoHistoryTree(ctx, &sqlplugin.HistoryTreeRow{ShardID: f.ShardID, TreeID: f.RunID, BranchID: f.RunID, Data: blob[:160], DataEncoding: "Proto3"})
		},
		func() (sql.Result, error) {
			return tx.InsertIntoTimerTasks(ctx, []sqlplugin.TimerTasksRow{{ShardID: f.ShardID, VisibilityTimestamp: now.Add(4 * time.Second), TaskID: int64(3*i + 1), Data: blob[:120], DataEncoding: "Proto3"}})
		},
		func() (sql.Result, error) {
			return tx.InsertIntoTransferTasks(ctx, []sqlplugin.TransferTasksRow{{ShardID: f.ShardID, TaskID: int64(3*i + 2), Data: blob[:120], DataEncoding: "Proto3"}})
		},
		func() (sql.Result, error) {
			return tx.InsertIntoVisibilityTasks(ctx, []sqlplugin.VisibilityTasksRow{{ShardID: f.ShardID, TaskID: int64(3*i + 3), Data: blob[:120], DataEncoding: "Proto3"}})
		},
	}
	for _, w := range writes {
		if _, err := w(); err != nil {
			tx.Rollback()
			return err
		}
	}
	return tx.Commit()
}

// TestStatementCacheRefusesTransactionsItCannotEnter: a transaction whose
// connection the cache cannot take (a plugin of another shape) is rolled
// back and refused, rather than run without the packed columns' rewriting.
func TestStatementCacheRefusesTransactionsItCannotEnter(t *testing.T) {
	tx := &shapelessTx{}
	c := &statementCache{plain: map[string]*sqlx.Stmt{}, named: map[string]*sqlx.NamedStmt{}, wanted: map[cacheKey]bool{}}
	got, err := c.beginTx(context.Background(), shapelessDB{tx: tx})
	if !errors.Is(err, errNoTxConn) || got != nil {
		t.Fatalf("beginTx = %v, %v; want errNoTxConn", got, err)
	}
	if !tx.rolledBack {
		t.Error("the refused transaction was not rolled back")
	}
}

// shapelessDB begins shapelessTx transactions: neither has Temporal's conn
// field.
type shapelessDB struct {
	sqlplugin.DB
	tx *shapelessTx
}

func (d shapelessDB) BeginTx(context.Context) (sqlplugin.Tx, error) { return d.tx, nil }

type shapelessTx struct {
	sqlplugin.Tx
	rolledBack bool
}

func (t *shapelessTx) Rollback() error {
	t.rolledBack = true
	return nil
}
