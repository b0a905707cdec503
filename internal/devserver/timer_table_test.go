package devserver

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"go.temporal.io/server/common/persistence/sql/sqlplugin"
)

// TestTimerTableFillsItsPages: timers written as webhook runs write them —
// each run's workflow-task timeout, deleted when it fires four seconds on,
// beside its deletion timer, kept — leave Temporal's timer table 40% empty
// (a hole beside every kept timer) and the dev server's nearly full; the
// server's table has no primary-key index beside it.
func TestTimerTableFillsItsPages(t *testing.T) {
	dir := t.TempDir()
	temporalFile, ourFile := filepath.Join(dir, "temporal.db"), filepath.Join(dir, "ours.db")
	temporal := openMainDB(t, temporalFile, false)
	openMainDB(t, ourFile, false) // creates it
	if moved, err := clusterTables(ourFile, nil); err != nil || moved["timer_tasks"] != 0 {
		t.Fatalf("clustering a new file's tables: %v moved (%v)", moved, err)
	}
	ours := openMainDB(t, ourFile, true)

	ctx := context.Background()
	start := time.Date(2026, 11, 29, 22, 0, 0, 0, time.UTC)
	for _, db := range []sqlplugin.DB{temporal, ours} {
		for i := range 6000 { // 40 runs a second for two and a half minutes
			now := start.Add(time.Duration(i) * 25 * time.Millisecond)
			timers := []sqlplugin.TimerTasksRow{
				{ShardID: 1, VisibilityTimestamp: now.Add(4 * time.Second), TaskID: int64(2 * i), Data: make([]byte, 125), DataEncoding: "Proto3"},
				{ShardID: 1, VisibilityTimestamp: now.Add(7 * 24 * time.Hour), TaskID: int64(2*i + 1), Data: make([]byte, 208), DataEncoding: "Proto3"},
			}
			for _, row := range timers { // written by two transactions, as a run's start and close write them
				if _, err := db.InsertIntoTimerTasks(ctx, []sqlplugin.TimerTasksRow{row}); err != nil {
					t.Fatal(err)
				}
			}
			if i%40 == 39 { // the timer queue deletes what has fired
				if _, err := db.RangeDeleteFromTimerTasks(ctx, sqlplugin.TimerTasksRangeFilter{ShardID: 1,
					InclusiveMinVisibilityTimestamp: start, ExclusiveMaxVisibilityTimestamp: now}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	unused := func(file string) float64 {
		t.Helper()
		var u float64
		if err := openFile(t, file).QueryRow(`SELECT sum(unused) * 1.0 / sum(pgsize) FROM dbstat WHERE name = 'timer_tasks'`).Scan(&u); err != nil {
			t.Fatal(err)
		}
		return u
	}
	t.Logf("timer table unused space: Temporal's %.0f%%, the dev server's %.0f%%", unused(temporalFile)*100, unused(ourFile)*100)
	if u := unused(temporalFile); u < 0.3 {
		t.Errorf("Temporal's timer table is %.0f%% unused space; the case no longer shows what it is for", u*100)
	}
	if u := unused(ourFile); u > 0.15 {
		t.Errorf("the dev server's timer table is %.0f%% unused space, want at most 15%%", u*100)
	}
	var indexes int
	if err := openFile(t, ourFile).QueryRow(`SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'timer_tasks'`).Scan(&indexes); err != nil {
		t.Fatal(err)
	}
	if indexes != 0 {
		t.Errorf("%d indexes beside the dev server's timer table, want none", indexes)
	}

	// Temporal reads the same timers from both.
	filter := sqlplugin.TimerTasksRangeFilter{ShardID: 1, InclusiveMinVisibilityTimestamp: start, ExclusiveMaxVisibilityTimestamp: start.Add(8 * 24 * time.Hour), PageSize: 100000}
	got, want := readBoth(t, ours, temporal, func(db sqlplugin.DB) ([]sqlplugin.TimerTasksRow, error) {
		return db.RangeSelectFromTimerTasks(ctx, filter)
	})
	if len(want) < 6000 || !reflect.DeepEqual(got, want) {
		t.Fatalf("the timers read back differ: %d rows, want Temporal's %d (at least the 6,000 kept)", len(got), len(want))
	}
}
