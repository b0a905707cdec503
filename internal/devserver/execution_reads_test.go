package devserver

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"reflect"
	"sort"
	"testing"

	"go.temporal.io/server/common/persistence/sql/sqlplugin"
	"go.temporal.io/server/common/primitives"
)

// TestRunStateReadsMatchTemporal: a run's state written through Temporal's
// SQLite plugin — its execution row and rows in all eight tables beside it —
// reads back the same through preparedPlugin's compiled statements as
// through Temporal's plugin; so does a run with nothing beside its row, and
// a run that is not there (sql.ErrNoRows itself, which the store compares
// with). A write committed after a statement was compiled is read by it.
func TestRunStateReadsMatchTemporal(t *testing.T) {
	file := filepath.Join(t.TempDir(), "dev.db")
	temporal, ours := openMainDB(t, file, false), openMainDB(t, file, true)
	if _, ok := ours.(*preparedDB); !ok {
		t.Fatalf("the main file opens as %T, want *preparedDB", ours)
	}
	compiled := compiledRuns.plain.Load()

	ctx := context.Background()
	full, bare, missing := runFilter("orders/full"), runFilter("orders/bare"), runFilter("orders/missing")
	writeRunState(t, temporal, full, 0)
	writeRunState(t, temporal, bare, -1)

	compare := func(f sqlplugin.ExecutionsFilter) {
		t.Helper()
		want, wantErr := readRunState(ctx, temporal, f)
		got, gotErr := readRunState(ctx, ours, f)
		if gotErr != wantErr { // identity: the store compares with ==
			t.Fatalf("%s: error %v, want %v", f.WorkflowID, gotErr, wantErr)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s reads differently:\n got %+v\nwant %+v", f.WorkflowID, got, want)
		}
	}
	compare(full)
	compare(bare)
	compare(missing)
	if _, err := ours.SelectFromExecutions(ctx, missing); err != sql.ErrNoRows {
		t.Fatalf("a missing run: %v, want sql.ErrNoRows", err)
	}

	writeRunState(t, temporal, full, 1) // more rows, committed on Temporal's connection
	compare(full)
	state, _ := readRunState(ctx, ours, full)
	if n := len(state["activities"].([]sqlplugin.ActivityInfoMapsRow)); n != 4 {
		t.Fatalf("read %d activities after the second write, want 4", n)
	}
	if n := compiledRuns.plain.Load() - compiled; n != 4*9+2 { // four whole reads, two of the missing run's row
		t.Errorf("%d statements ran compiled, want 38", n)
	}
}

func runFilter(workflowID string) sqlplugin.ExecutionsFilter {
	return sqlplugin.ExecutionsFilter{ShardID: 1, NamespaceID: primitives.MustParseUUID("7c7c2a4e-1c9a-4d0a-8b7e-1f0c8b5a9d21"),
		WorkflowID: workflowID, RunID: primitives.NewUUID()}
}

// writeRunState writes the run's execution row (round 0) and, unless round
// is -1, two rows in each table beside it per round.
func writeRunState(t *testing.T, db sqlplugin.TableCRUD, f sqlplugin.ExecutionsFilter, round int) {
	t.Helper()
	ctx := context.Background()
	check := func(_ sql.Result, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	if round <= 0 {
		check(db.InsertIntoExecutions(ctx, &sqlplugin.ExecutionsRow{ShardID: f.ShardID, NamespaceID: f.NamespaceID, WorkflowID: f.WorkflowID, RunID: f.RunID,
			NextEventID: 9, LastWriteVersion: 1, Data: []byte("info"), DataEncoding: "Proto3", State: []byte("state"), StateEncoding: "Proto3", DBRecordVersion: 2}))
	}
	if round < 0 {
		return
	}
	for j := range 2 {
		i := round*2 + j
		data := func(table string) []byte { return []byte(fmt.Sprintf("%s-%d", table, i)) } // tells the tables apart
		check(db.ReplaceIntoActivityInfoMaps(ctx, []sqlplugin.ActivityInfoMapsRow{{ShardID: f.ShardID, NamespaceID: f.NamespaceID, WorkflowID: f.WorkflowID, RunID: f.RunID, ScheduleID: int64(5 + i), Data: data("activity"), DataEncoding: "Proto3"}}))
		check(db.ReplaceIntoTimerInfoMaps(ctx, []sqlplugin.TimerInfoMapsRow{{ShardID: f.ShardID, NamespaceID: f.NamespaceID, WorkflowID: f.WorkflowID, RunID: f.RunID, TimerID: fmt.Sprintf("t%d", i), Data: data("timer"), DataEncoding: "Proto3"}}))
		check(db.ReplaceIntoChildExecutionInfoMaps(ctx, []sqlplugin.ChildExecutionInfoMapsRow{{ShardID: f.ShardID, NamespaceID: f.NamespaceID, WorkflowID: f.WorkflowID, RunID: f.RunID, InitiatedID: int64(7 + i), Data: data("child"), DataEncoding: "Proto3"}}))
		check(db.ReplaceIntoRequestCancelInfoMaps(ctx, []sqlplugin.RequestCancelInfoMapsRow{{ShardID: f.ShardID, NamespaceID: f.NamespaceID, WorkflowID: f.WorkflowID, RunID: f.RunID, InitiatedID: int64(7 + i), Data: data("cancel"), DataEncoding: "Proto3"}}))
		check(db.ReplaceIntoSignalInfoMaps(ctx, []sqlplugin.SignalInfoMapsRow{{ShardID: f.ShardID, NamespaceID: f.NamespaceID, WorkflowID: f.WorkflowID, RunID: f.RunID, InitiatedID: int64(7 + i), Data: data("signal"), DataEncoding: "Proto3"}}))
		check(db.ReplaceIntoSignalsRequestedSets(ctx, []sqlplugin.SignalsRequestedSetsRow{{ShardID: f.ShardID, NamespaceID: f.NamespaceID, WorkflowID: f.WorkflowID, RunID: f.RunID, SignalID: fmt.Sprintf("s%d", i)}}))
		check(db.ReplaceIntoChasmNodeMaps(ctx, []sqlplugin.ChasmNodeMapsRow{{ShardID: f.ShardID, NamespaceID: f.NamespaceID, WorkflowID: f.WorkflowID, RunID: f.RunID, ChasmPath: fmt.Sprintf("p/%d", i),
			Metadata: []byte("meta"), MetadataEncoding: "Proto3", Data: data("chasm"), DataEncoding: "Proto3"}}))
		check(db.InsertIntoBufferedEvents(ctx, []sqlplugin.BufferedEventsRow{{ShardID: f.ShardID, NamespaceID: f.NamespaceID, WorkflowID: f.WorkflowID, RunID: f.RunID, Data: data("buffered"), DataEncoding: "Proto3"}}))
	}
}

// readRunState is what GetWorkflowExecution reads of a run, the map tables'
// rows sorted (their order is the database's).
func readRunState(ctx context.Context, db sqlplugin.DB, f sqlplugin.ExecutionsFilter) (map[string]any, error) {
	exec, err := db.SelectFromExecutions(ctx, f)
	if err != nil {
		return nil, err
	}
	out := map[string]any{"execution": exec}
	add := func(name string, rows any, err error) {
		if err != nil {
			out[name+" error"] = err.Error()
			return
		}
		v := reflect.ValueOf(rows)
		sort.SliceStable(rows, func(i, j int) bool { return fmt.Sprint(v.Index(i).Interface()) < fmt.Sprint(v.Index(j).Interface()) })
		out[name] = rows
	}
	a, err := db.SelectAllFromActivityInfoMaps(ctx, sqlplugin.ActivityInfoMapsAllFilter(f))
	add("activities", a, err)
	tm, err := db.SelectAllFromTimerInfoMaps(ctx, sqlplugin.TimerInfoMapsAllFilter(f))
	add("timers", tm, err)
	c, err := db.SelectAllFromChildExecutionInfoMaps(ctx, sqlplugin.ChildExecutionInfoMapsAllFilter(f))
	add("children", c, err)
	rc, err := db.SelectAllFromRequestCancelInfoMaps(ctx, sqlplugin.RequestCancelInfoMapsAllFilter(f))
	add("cancels", rc, err)
	s, err := db.SelectAllFromSignalInfoMaps(ctx, sqlplugin.SignalInfoMapsAllFilter(f))
	add("signals", s, err)
	sr, err := db.SelectAllFromSignalsRequestedSets(ctx, sqlplugin.SignalsRequestedSetsAllFilter(f))
	add("signals requested", sr, err)
	cn, err := db.SelectAllFromChasmNodeMaps(ctx, sqlplugin.ChasmNodeMapsAllFilter(f))
	add("chasm nodes", cn, err)
	b, err := db.SelectFromBufferedEvents(ctx, sqlplugin.BufferedEventsFilter(f))
	out["buffered"], out["buffered error"] = b, fmt.Sprint(err) // ordered by the query
	return out, nil
}
