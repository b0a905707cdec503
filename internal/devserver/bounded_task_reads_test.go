package devserver

import (
	"context"
	"math"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/server/common/persistence/sql/sqlplugin"
	"modernc.org/libc"
)

// taskReadsFile is a dev server file with timers and other scheduled tasks
// at fired and future times, several at each time; the dev server's plugin
// and Temporal's own open on it.
func taskReadsFile(t testing.TB, fired, future int) (file string, dev, temporal sqlplugin.DB, now time.Time) {
	t.Helper()
	file = filepath.Join(t.TempDir(), "dev.db")
	openMainDB(t, file, false)
	if _, err := clusterTables(file, nil); err != nil {
		t.Fatal(err)
	}
	dev, temporal = openMainDB(t, file, true), openMainDB(t, file, false)
	now = time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	blob := []byte{0x0a, 0x01}
	var timers []sqlplugin.TimerTasksRow
	var scheduled []sqlplugin.HistoryScheduledTasksRow
	id := int64(0)
	for i := -fired; i < future; i++ {
		at := now.Add(time.Duration(i/3) * 25 * time.Millisecond) // three tasks at each time
		id++
		timers = append(timers, sqlplugin.TimerTasksRow{ShardID: 1, VisibilityTimestamp: at, TaskID: id, Data: blob, DataEncoding: "Proto3"})
		scheduled = append(scheduled, sqlplugin.HistoryScheduledTasksRow{ShardID: 1, CategoryID: 7, VisibilityTimestamp: at, TaskID: id, Data: blob, DataEncoding: "Proto3"})
	}
	ctx := context.Background()
	for b := range slices.Chunk(timers, 500) {
		if _, err := temporal.InsertIntoTimerTasks(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	for b := range slices.Chunk(scheduled, 500) {
		if _, err := temporal.InsertIntoHistoryScheduledTasks(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	return file, dev, temporal, now
}

// TestBoundedTaskReadsReturnTemporalsRows reads timers and scheduled tasks
// from many keys, to many ends, in pages of several sizes, through the dev
// server's plugin and through Temporal's, and wants the same rows.
func TestBoundedTaskReadsReturnTemporalsRows(t *testing.T) {
	_, dev, temporal, now := taskReadsFile(t, 300, 300)
	ctx := context.Background()
	rnd := rand.New(rand.NewPCG(5, 6))
	read := 0
	for range 200 {
		minAt := now.Add(time.Duration(rnd.IntN(240)-120) * 25 * time.Millisecond)
		if rnd.IntN(4) == 0 {
			minAt = minAt.Add(time.Millisecond) // between two tasks' times
		}
		minTask := []int64{math.MinInt64, rnd.Int64N(700), 0}[rnd.IntN(3)]
		maxAt := minAt.Add(time.Duration(rnd.IntN(200)) * 25 * time.Millisecond)
		page := []int{1, 3, 10, 1000}[rnd.IntN(4)]

		tf := sqlplugin.TimerTasksRangeFilter{ShardID: 1, InclusiveMinTaskID: minTask, InclusiveMinVisibilityTimestamp: minAt, ExclusiveMaxVisibilityTimestamp: maxAt, PageSize: page}
		got, want := readBoth(t, dev, temporal, func(db sqlplugin.DB) ([]sqlplugin.TimerTasksRow, error) { return db.RangeSelectFromTimerTasks(ctx, tf) })
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("timers from %v/%d to %v, %d a page: dev server %d rows, Temporal %d", minAt, minTask, maxAt, page, len(got), len(want))
		}
		if len(want) > 0 {
			read++
		}

		sf := sqlplugin.HistoryScheduledTasksRangeFilter{ShardID: 1, CategoryID: 7, InclusiveMinTaskID: minTask, InclusiveMinVisibilityTimestamp: minAt, ExclusiveMaxVisibilityTimestamp: maxAt, PageSize: page}
		gotS, wantS := readBoth(t, dev, temporal, func(db sqlplugin.DB) ([]sqlplugin.HistoryScheduledTasksRow, error) {
			return db.RangeSelectFromHistoryScheduledTasks(ctx, sf)
		})
		if !reflect.DeepEqual(gotS, wantS) {
			t.Fatalf("scheduled tasks from %v/%d to %v, %d a page: dev server %d rows, Temporal %d", minAt, minTask, maxAt, page, len(gotS), len(wantS))
		}
	}
	if read < 100 {
		t.Fatalf("only %d of 200 reads found timers; the test reads too little", read)
	}
}

// readBoth is read's rows through the dev server's plugin and through
// Temporal's.
func readBoth[R any](t *testing.T, dev, temporal sqlplugin.DB, read func(sqlplugin.DB) ([]R, error)) (got, want []R) {
	t.Helper()
	want, err := read(temporal)
	if err != nil {
		t.Fatal(err)
	}
	if got, err = read(dev); err != nil {
		t.Fatal(err)
	}
	return got, want
}

// TestBoundTaskReadsKeepsRowsForAnyParameters runs a read as Temporal
// writes it and as boundTaskReads does, with the OR's two timestamps
// different as well (Temporal binds one value to both), and wants the same
// rows.
func TestBoundTaskReadsKeepsRowsForAnyParameters(t *testing.T) {
	file, _, _, _ := taskReadsFile(t, 60, 60)
	db := openFile(t, file)
	// The times as the table keeps them (text; `|| ''` keeps the driver
	// from reading them as time.Time).
	times := column(t, file, "SELECT DISTINCT visibility_timestamp || '' FROM timer_tasks ORDER BY 1")
	const read = "SELECT visibility_timestamp, task_id FROM timer_tasks WHERE shard_id = ? " +
		"AND ((visibility_timestamp >= ? AND task_id >= ?) OR visibility_timestamp > ?) " +
		"AND visibility_timestamp < ? ORDER BY visibility_timestamp,task_id LIMIT ?"
	bounded := boundTaskReads(read)
	if bounded == read {
		t.Fatalf("boundTaskReads left the read as it was: %s", read)
	}
	rnd := rand.New(rand.NewPCG(7, 8))
	apart := 0
	for range 300 {
		a, c, end := times[rnd.IntN(len(times))], times[rnd.IntN(len(times))], times[rnd.IntN(len(times))]
		task := rnd.Int64N(130)
		want := queryRows(t, db, read, 1, a, task, c, end, 1000)
		got := queryRows(t, db, bounded, 1, a, task, c, end, 1000)
		if !slices.Equal(got, want) {
			t.Fatalf("from %s/%d or after %s, to %s: bounded %v, Temporal's %v", a, task, c, end, got, want)
		}
		if len(want) > 0 && a != c {
			apart++
		}
	}
	if apart < 50 {
		t.Fatalf("only %d reads found rows with the OR's two times apart; the test reads too little", apart)
	}
}

// TestBoundedTaskReadsSearchFromTheKey reads timers and scheduled tasks
// through the dev server's plugin, then asks SQLite how it runs the
// statements the plugin compiled: from the key asked for, not from the
// shard's first row. A Temporal whose reads changed shape fails here.
func TestBoundedTaskReadsSearchFromTheKey(t *testing.T) {
	file, dev, temporal, now := taskReadsFile(t, 30, 30)
	ctx := context.Background()
	for _, db := range []sqlplugin.DB{dev, temporal} {
		if _, err := db.RangeSelectFromTimerTasks(ctx, sqlplugin.TimerTasksRangeFilter{ShardID: 1, InclusiveMinTaskID: math.MinInt64, InclusiveMinVisibilityTimestamp: now, ExclusiveMaxVisibilityTimestamp: now.Add(time.Hour), PageSize: 1}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.RangeSelectFromHistoryScheduledTasks(ctx, sqlplugin.HistoryScheduledTasksRangeFilter{ShardID: 1, CategoryID: 7, InclusiveMinTaskID: math.MinInt64, InclusiveMinVisibilityTimestamp: now, ExclusiveMaxVisibilityTimestamp: now.Add(time.Hour), PageSize: 1}); err != nil {
			t.Fatal(err)
		}
	}
	raw := openFile(t, file)
	for table, args := range map[string][]any{
		"timer_tasks":             {1, "x", 0, "x", "y", 1},
		"history_scheduled_tasks": {1, 7, "x", 0, "x", "y", 1},
	} {
		stmts := compiledStatements(t, dev.(*preparedDB), "FROM "+table)
		if len(stmts) != 1 {
			t.Fatalf("%d statements reading %s compiled, want 1: %q", len(stmts), table, stmts)
		}
		plan := strings.Join(queryPlan(t, raw, stmts[0], args...), "; ")
		if !strings.Contains(plan, "visibility_timestamp>?") {
			t.Errorf("the dev server's read of %s searches %q, not from the key asked for\n%s", table, plan, stmts[0])
		}
	}
}

// compiledStatements is the text of each statement compiled on db's
// connection that contains part.
func compiledStatements(t *testing.T, db *preparedDB, part string) []string {
	t.Helper()
	var out []string
	eachCompiled(t, db.stmts.db, func(_ *libc.TLS, _ uintptr, text string) {
		if strings.Contains(text, part) {
			out = append(out, text)
		}
	})
	return out
}

func TestBoundTaskReadsLeavesOtherStatements(t *testing.T) {
	for _, q := range []string{
		"SELECT node_id FROM history_node WHERE shard_id = ? AND tree_id = ? AND branch_id = ? AND ((node_id = ? AND txn_id > ?) OR node_id > ?) AND node_id < ? LIMIT ?",
		"DELETE FROM timer_tasks WHERE shard_id = ? AND visibility_timestamp >= ? AND visibility_timestamp < ?",
		"SELECT 1 WHERE 1 OR visibility_timestamp > ?",
	} {
		if got := boundTaskReads(q); got != q {
			t.Errorf("boundTaskReads(%q) = %q, want it unchanged", q, got)
		}
	}
	if got, want := numberParams("a = ? AND b IN (?, ?) LIMIT ?"), "a = ?1 AND b IN (?2, ?3) LIMIT ?4"; got != want {
		t.Errorf("numberParams = %q, want %q", got, want)
	}
}

// BenchmarkTimerRead is the timer queue's read ahead for its next timer
// with 5,000 fired timers still in the table (two minutes of a steady 40
// events/s), through Temporal's plugin and through the dev server's.
func BenchmarkTimerRead(b *testing.B) {
	_, dev, temporal, now := taskReadsFile(b, 5000, 50)
	ctx := context.Background()
	filter := sqlplugin.TimerTasksRangeFilter{ShardID: 1, InclusiveMinTaskID: math.MinInt64, InclusiveMinVisibilityTimestamp: now, ExclusiveMaxVisibilityTimestamp: now.AddDate(1, 0, 0), PageSize: 1}
	for _, c := range []struct {
		name string
		db   sqlplugin.DB
	}{{"temporal", temporal}, {"dev", dev}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				rows, err := c.db.RangeSelectFromTimerTasks(ctx, filter)
				if err != nil || len(rows) != 1 {
					b.Fatal(len(rows), err)
				}
			}
		})
	}
}
