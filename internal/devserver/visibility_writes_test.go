package devserver

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/metrics"
	persistencesql "go.temporal.io/server/common/persistence/sql"
	"go.temporal.io/server/common/persistence/sql/sqlplugin"
	"go.temporal.io/server/common/resolver"
)

// TestRunListWritesMatchTemporal: the same writes — runs started, started
// again, closed, closed again with an older or the same version, deleted — through
// Temporal's SQLite plugin into one file and through preparedPlugin's
// compiled statements into another leave the same rows, every column (the
// generated ones too), and search tables that agree with them and find the
// same runs.
func TestRunListWritesMatchTemporal(t *testing.T) {
	temporalDB, temporalFile := runListDB(t, devPlan)
	_, ourFile := runListDB(t, devPlan)
	ours := openPreparedRunList(t, ourFile)

	ctx := context.Background()
	start := time.Date(2026, 11, 29, 20, 0, 0, 123456789, time.FixedZone("CET", 3600))
	write := func(db sqlplugin.DB) {
		t.Helper()
		for i := range 5 {
			if _, err := db.InsertIntoVisibility(ctx, startedRun(i, start)); err != nil {
				t.Fatal(err)
			}
		}
		again := startedRun(4, start) // stays open below
		again.TaskQueue = "elsewhere"
		if _, err := db.InsertIntoVisibility(ctx, again); err != nil { // ignored: the run is there
			t.Fatal(err)
		}
		for i := range 4 {
			if _, err := db.ReplaceIntoVisibility(ctx, richRun(closedRun(i, start))); err != nil {
				t.Fatal(err)
			}
		}
		stale := startedRun(1, start) // an older version of a closed run: ignored
		if _, err := db.ReplaceIntoVisibility(ctx, stale); err != nil {
			t.Fatal(err)
		}
		same := richRun(closedRun(0, start)) // the same version again: ignored too
		same.Status = 3
		if _, err := db.ReplaceIntoVisibility(ctx, same); err != nil {
			t.Fatal(err)
		}
		if _, err := db.DeleteFromVisibility(ctx, sqlplugin.VisibilityDeleteFilter{NamespaceID: stale.NamespaceID, RunID: closedRun(2, start).RunID}); err != nil {
			t.Fatal(err)
		}
	}
	write(temporalDB)
	compiled := compiledRuns.plain.Load()
	write(ours)
	if n := compiledRuns.plain.Load() - compiled; n != 13 {
		t.Errorf("%d of the 13 writes ran compiled", n)
	}

	want, got := allRows(t, temporalFile), allRows(t, ourFile)
	if len(want) != 4 {
		t.Fatalf("Temporal's plugin left %d rows, want 4 (5 started, 1 deleted)", len(want))
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("the run list differs from Temporal's:\n got %q\nwant %q", got, want)
	}
	for _, file := range []string{temporalFile, ourFile} {
		db := openFile(t, file)
		for _, fts := range []string{"executions_visibility_fts_text", "executions_visibility_fts_keyword_list"} {
			// For a search table over another table's content, SQLite
			// checks its index against that content.
			if _, err := db.Exec("INSERT INTO " + fts + " (" + fts + ") VALUES ('integrity-check')"); err != nil {
				t.Fatalf("%s in %s: %v", fts, filepath.Base(file), err)
			}
		}
	}
	for _, q := range []string{
		`SELECT run_id FROM executions_visibility WHERE rowid IN (SELECT rowid FROM executions_visibility_fts_keyword_list WHERE executions_visibility_fts_keyword_list MATCH '"relay"') ORDER BY run_id`,
		`SELECT run_id FROM executions_visibility WHERE rowid IN (SELECT rowid FROM executions_visibility_fts_text WHERE executions_visibility_fts_text MATCH 'refund') ORDER BY run_id`,
	} {
		want, got := column(t, temporalFile, q), column(t, ourFile, q)
		if len(want) == 0 || !reflect.DeepEqual(got, want) {
			t.Errorf("%s\n got %v\nwant %v (and not none)", q, got, want)
		}
	}

	// Read back through the store, as the server reads it.
	last := closedRun(3, start)
	row, err := ours.GetFromVisibility(ctx, sqlplugin.VisibilityGetFilter{NamespaceID: last.NamespaceID, RunID: last.RunID})
	if err != nil {
		t.Fatal(err)
	}
	if row.CloseTime == nil || !row.CloseTime.Equal(last.CloseTime.Truncate(time.Microsecond)) {
		t.Errorf("close time read back %v, want %v", row.CloseTime, last.CloseTime)
	}
	if got := (*row.SearchAttributes)["KeywordList01"]; !reflect.DeepEqual(got, []string{"relay", "second step"}) {
		t.Errorf("keyword list read back %#v", got)
	}
}

// startedRun is the i-th run's row when it starts: version 1, no close.
func startedRun(i int, start time.Time) *sqlplugin.VisibilityRow {
	r := closedRun(i, start)
	r.Status, r.CloseTime, r.HistoryLength, r.ExecutionDuration = 1, nil, nil, nil
	attrs := sqlplugin.VisibilitySearchAttributes{"Keyword01": "running", "Keyword05": fmt.Sprintf("evt-%d", i)}
	r.SearchAttributes = &attrs
	r.Version = 1
	return r
}

// richRun adds to a closed row what closedRun leaves out: a memo, a parent,
// a time, a text and a two-value keyword list; version 2.
func richRun(r *sqlplugin.VisibilityRow) *sqlplugin.VisibilityRow {
	attrs := *r.SearchAttributes
	attrs["KeywordList01"] = []string{"relay", "second step"}
	attrs["Datetime01"] = r.StartTime.Add(time.Hour)
	attrs["Text01"] = "customer asked for a refund"
	parent := "orders/parent"
	r.ParentWorkflowID, r.Memo, r.Version = &parent, []byte{0x0a, 0x02, 'h', 'i'}, 2
	return r
}

// openPreparedRunList opens file through preparedPlugin, as the dev server
// does, and checks it serves as an admin database too.
func openPreparedRunList(t testing.TB, file string) sqlplugin.DB {
	t.Helper()
	conf := preparedStore(fileSQLConfig(file))
	db, err := persistencesql.NewSQLDB(sqlplugin.DbKindVisibility, conf, resolver.NewNoopResolver(), log.NewNoopLogger(), metrics.NoopMetricsHandler)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	admin, err := persistencesql.NewSQLAdminDB(sqlplugin.DbKindVisibility, conf, resolver.NewNoopResolver(), log.NewNoopLogger(), metrics.NoopMetricsHandler)
	if err != nil {
		t.Fatal(err)
	}
	if err := admin.VerifyVersion(); err != nil { // the server's start-up check
		t.Fatal(err)
	}
	admin.Close()
	return db
}

// allRows is every run-list row in file, every column, as text.
func allRows(t *testing.T, file string) []string {
	t.Helper()
	return tableRows(t, file, "SELECT * FROM executions_visibility ORDER BY run_id")
}

// tableRows is query's rows in file, every column, as text.
func tableRows(t *testing.T, file, query string) []string {
	t.Helper()
	return queryRows(t, openFile(t, file), query)
}

// queryRows is query's rows on db, every column, as text.
func queryRows(t *testing.T, db *sql.DB, query string, args ...any) []string {
	t.Helper()
	rows, err := db.Query(query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for i, v := range vals {
			if v != nil {
				fmt.Fprintf(&b, "%s=%v;", cols[i], v)
			}
		}
		out = append(out, b.String())
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func column(t *testing.T, file, query string) []string {
	t.Helper()
	rows, err := openFile(t, file).Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s sql.NullString
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s.String)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
