package devserver

import (
	"context"
	"database/sql"
	"math"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"go.temporal.io/server/common/persistence/sql/sqlplugin"
)

// TestRunListBatchesCloses: runs that close while the run list's one
// connection is busy write their rows in one transaction, each close
// answered with its own result, and the file holds what Temporal's plugin
// writes for the same rows one by one. A batch with a row that cannot be
// written is written again row by row: only that row's close fails.
func TestRunListBatchesCloses(t *testing.T) {
	temporalDB, temporalFile := runListDB(t, devPlan)
	_, ourFile := runListDB(t, devPlan)
	ours := openPreparedRunList(t, ourFile)
	batches := ours.(*preparedDB).runList
	ctx := context.Background()
	start := time.Date(2026, 11, 30, 23, 0, 0, 0, time.UTC)

	// closeTogether closes rows while a transaction holds the connection,
	// so that all but the first wait for it together, and returns each
	// close's rows affected and error.
	closeTogether := func(rows []*sqlplugin.VisibilityRow) []closeResult {
		t.Helper()
		hold, err := ours.BeginTx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		results := make([]closeResult, len(rows))
		var wg sync.WaitGroup
		closeRun := func(i int) {
			wg.Go(func() { results[i] = resultOf(ours.ReplaceIntoVisibility(ctx, rows[i])) })
		}
		waitUntil := func(what string, done func(leading bool, pending int) bool) {
			t.Helper()
			check := func() bool {
				batches.mu.Lock()
				defer batches.mu.Unlock()
				return done(batches.leading, len(batches.pending))
			}
			for deadline := time.Now().Add(10 * time.Second); !check(); time.Sleep(time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("waited 10 s for %s", what)
				}
			}
		}
		// The first leads: it takes its row and waits for the connection;
		// the others wait for it.
		closeRun(0)
		waitUntil("the first close to lead", func(leading bool, pending int) bool { return leading && pending == 0 })
		for i := 1; i < len(rows); i++ {
			closeRun(i)
		}
		waitUntil("the others to wait", func(_ bool, pending int) bool { return pending == len(rows)-1 })
		if err := hold.Commit(); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		return results
	}

	var rows []*sqlplugin.VisibilityRow
	for i := range 40 {
		r := closedRun(i, start)
		if i%3 == 0 {
			r = richRun(r)
		}
		rows = append(rows, r)
	}
	count, batched := runListBatchCount.Load(), runListBatchedRows.Load()
	results := closeTogether(rows)
	if n, m := runListBatchCount.Load()-count, runListBatchedRows.Load()-batched; n != 3 || m != 39 {
		t.Fatalf("%d batches of %d rows in all; want the 39 that waited in 3 (at most %d rows each)", n, m, maxRunListBatch)
	}

	bad := closedRun(100, start)
	(*bad.SearchAttributes)["Double01"] = math.NaN() // JSON has no NaN: the row cannot be written
	more := []*sqlplugin.VisibilityRow{closedRun(101, start), closedRun(102, start), bad, richRun(closedRun(103, start))}
	count = runListBatchCount.Load()
	results = append(results, closeTogether(more)...)
	if n := runListBatchCount.Load() - count; n != 0 {
		t.Errorf("%d batches written with a row that cannot be written", n)
	}

	// Rows written already: an older version (not written again), a newer
	// one (written over it).
	again := []*sqlplugin.VisibilityRow{closedRun(104, start), startedRun(0, start), richRun(closedRun(1, start)), closedRun(105, start)}
	count = runListBatchCount.Load()
	results = append(results, closeTogether(again)...)
	if n := runListBatchCount.Load() - count; n != 1 {
		t.Errorf("%d batches for the 3 rows that waited together; want 1", n)
	}

	all := slices.Concat(rows, more, again)
	for i, r := range all {
		want := resultOf(temporalDB.ReplaceIntoVisibility(ctx, r))
		if got := results[i]; got.n != want.n || (got.err != nil) != (want.err != nil) {
			t.Errorf("row %d (%s): %d rows affected, error %v; Temporal's plugin: %d, %v", i, r.RunID, got.n, got.err, want.n, want.err)
		}
		if (want.err != nil) != (r == bad) {
			t.Fatalf("Temporal's plugin, row %d: %v", i, want.err)
		}
	}
	if n := results[len(rows)+len(more)+1].n; n != 0 {
		t.Errorf("the older version: %d rows affected, want 0", n)
	}
	want, got := allRows(t, temporalFile), allRows(t, ourFile)
	if len(want) != 45 || !reflect.DeepEqual(got, want) {
		t.Fatalf("the run list differs from Temporal's (%d rows, %d from Temporal's, want 45):\n got %q\nwant %q", len(got), len(want), got, want)
	}
	db := openFile(t, ourFile)
	for _, fts := range []string{"executions_visibility_fts_text", "executions_visibility_fts_keyword_list"} {
		if _, err := db.Exec("INSERT INTO " + fts + " (" + fts + ") VALUES ('integrity-check')"); err != nil {
			t.Fatalf("%s: %v", fts, err)
		}
	}
}

type closeResult struct {
	n   int64
	err error
}

func resultOf(res sql.Result, err error) closeResult {
	if err != nil {
		return closeResult{err: err}
	}
	n, err := res.RowsAffected()
	return closeResult{n: n, err: err}
}
