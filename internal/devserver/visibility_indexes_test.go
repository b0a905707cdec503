package devserver

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/temporalio/sqlparser"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/server/common/persistence/sql/sqlplugin"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/persistence/visibility/store/query"
	visibilitysql "go.temporal.io/server/common/persistence/visibility/store/sql"

	"github.com/hookflow/hookflow/internal/devdb"
)

// TestVisibilityIndexesTrimmed: a file database keeps the indexes hookflow
// lists runs by and those of its registered search attributes, including
// one registered on a later start, but not of those it leaves unindexed,
// and drops the rest.
func TestVisibilityIndexesTrimmed(t *testing.T) {
	file := filepath.Join(t.TempDir(), "dev.db")
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	start := func(attrs map[string]enumspb.IndexedValueType) {
		t.Helper()
		s, err := Start(context.Background(), Options{UIPort: -1, DBFile: file, Logger: logger, SearchAttributes: attrs, Unindexed: []string{"HookTrigger"}})
		if err != nil {
			t.Fatal(err)
		}
		s.Stop()
	}
	attrs := map[string]enumspb.IndexedValueType{"HookTrigger": enumspb.INDEXED_VALUE_TYPE_KEYWORD, "HookEventId": enumspb.INDEXED_VALUE_TYPE_KEYWORD, "HookRules": enumspb.INDEXED_VALUE_TYPE_KEYWORD_LIST}
	start(attrs)
	first := indexes(t, devdb.VisibilityFile(file))
	attrs["OrderN"] = enumspb.INDEXED_VALUE_TYPE_INT
	start(attrs)
	second := indexes(t, devdb.VisibilityFile(file))
	for kept := range keptIndexes {
		if !slices.Contains(first, kept) {
			t.Errorf("index %s was dropped: %v", kept, first)
		}
	}
	if len(first) != len(keptIndexes)+1 || !slices.ContainsFunc(first, func(n string) bool { return strings.HasPrefix(n, "by_keyword_") }) {
		t.Fatalf("after the first start: %v; want the kept ones and HookEventId's keyword column, not HookTrigger's", first)
	}
	if len(second) != len(first)+1 || !slices.ContainsFunc(second, func(n string) bool { return strings.HasPrefix(n, "by_int_") }) {
		t.Fatalf("after registering OrderN: %v; want its int column indexed too", second)
	}
}

func TestPlanVisibilityIndexes(t *testing.T) {
	aliases := map[string]string{"Keyword01": "HookTrigger", "Keyword02": "HookEventId", "Keyword03": "OrderEmail", "Keyword04": "HookCorrelationKey", "KeywordList01": "HookRules"}
	want := wantedVisibilityIndexes(aliases, columnIndexing{unindexed: []string{"HookTrigger"}})
	temporal := func(col string) string {
		return "CREATE INDEX x ON executions_visibility (namespace_id, " + col + "(COALESCE(close_time, '9999-12-31 23:59:59+00:00')) DESC, start_time DESC, run_id)"
	}
	existing := map[string]string{
		"by_status": temporal("status, "), "default_idx": want["default_idx"], "by_workflow_id": want["by_workflow_id"],
		"by_keyword_01": wantedVisibilityIndexes(aliases, columnIndexing{})["by_keyword_01"], // unindexed now
		"by_int_01":     temporal("Int01, "), "by_bool_01": temporal("Bool01, "),
		"by_keyword_02": temporal("Keyword02, ") + " WHERE Keyword02 IS NOT NULL", // made newest first
		"by_keyword_04": want["by_keyword_04"],                                    // current
	}
	drop, create := planVisibilityIndexes(existing, aliases, columnIndexing{unindexed: []string{"HookTrigger"}})
	if want := []string{"by_bool_01", "by_int_01", "by_keyword_01", "by_keyword_02", "by_status"}; !slices.Equal(drop, want) {
		t.Errorf("drop %v, want %v", drop, want)
	}
	if len(create) != 3 {
		t.Fatalf("create %q, want by_status and Keyword02 and 03's", create)
	}
	for i, col := range []string{"Keyword02", "Keyword03"} {
		if !strings.Contains(create[i], "(namespace_id, "+col+", (COALESCE(close_time, '9999-12-31 23:59:59+00:00')), start_time, run_id DESC) WHERE "+col+" IS NOT NULL") {
			t.Errorf("create %q, want a partial index on %s, oldest first", create[i], col)
		}
	}
	if !strings.HasPrefix(create[2], "CREATE INDEX by_status ON executions_visibility (namespace_id, status, (COALESCE") ||
		!strings.Contains(create[2], "run_id DESC) WHERE status = 1 OR status = 3 OR ") || strings.Contains(create[2], "status = 2") {
		t.Errorf("create %q, want by_status oldest first, of the statuses but completed", create[2])
	}
}

// TestRunListIndexesMatchTheirPlan: the SQL SQLite stores for the indexes
// it made is the SQL the plan wants, so the next start changes nothing.
func TestRunListIndexesMatchTheirPlan(t *testing.T) {
	plan := func(existing map[string]string) ([]string, []string) {
		return planVisibilityIndexes(existing, devAliases, devIndexing)
	}
	_, file := runListDB(t, plan)
	db := openFile(t, file)
	existing, err := visibilityIndexes(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	if drop, create := plan(existing); len(drop)+len(create) != 0 {
		t.Errorf("a second plan drops %v and creates %q, want nothing", drop, create)
	}
}

// TestRunListQueriesUseIndexes: SQLite lists runs newest first, all of
// them, by status and by an attribute's value (the partial indexes; a
// common status reads the default order), from an index and without
// sorting, on the first page and the next. The statements are Temporal's:
// its SQLite query converter adds the ORDER BY and the page token's
// condition to the WHERE clause its query parser would have made, so a
// Temporal upgrade that changes them fails here.
func TestRunListQueriesUseIndexes(t *testing.T) {
	_, file := runListDB(t, func(existing map[string]string) ([]string, []string) {
		return planVisibilityIndexes(existing, map[string]string{"Keyword01": "HookStatus", "Keyword05": "HookCorrelationKey"}, devIndexing)
	})
	db := openFile(t, file)
	converter, err := visibilitysql.NewSQLQueryConverter(sqliteplugin.PluginName)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	next := &sqlplugin.VisibilityPageToken{CloseTime: now, StartTime: now.Add(-time.Second), RunID: "01a227cc-99bb-7ac3-9050-000000000001"}
	// What Temporal's parser makes of a list query: the namespace, no
	// namespace division (every list), and the query's own terms, with
	// values inlined (ExecutionStatus = "Failed" → status = 3).
	const namespace = "namespace_id = 'n' AND TemporalNamespaceDivision IS NULL"
	for _, q := range []struct{ where, index string }{
		{namespace, "default_idx (namespace_id=?)"},
		{namespace + " AND status = 3", "by_status (namespace_id=? AND status=?)"},
		{namespace + " AND status = 2", "default_idx (namespace_id=?)"},
		{namespace + " AND Keyword01 = 'failed'", "by_keyword_01 (namespace_id=? AND Keyword01=?)"},
		{namespace + " AND Keyword01 = 'completed'", "default_idx (namespace_id=?)"},
		{namespace + " AND Keyword05 = 'inv-1'", "by_keyword_05 (namespace_id=? AND Keyword05=?)"},
	} {
		parsed, err := sqlparser.Parse("SELECT * FROM executions_visibility WHERE " + q.where)
		if err != nil {
			t.Fatal(err)
		}
		params := &query.QueryParams[sqlparser.Expr]{QueryExpr: parsed.(*sqlparser.Select).Where.Expr}
		for _, token := range []*sqlplugin.VisibilityPageToken{nil, next} {
			stmt, args := converter.BuildSelectStmt(params, 20, token)
			plan := queryPlan(t, db, stmt, args...)
			if len(plan) != 1 || !strings.Contains(plan[0], "USING INDEX "+q.index) {
				t.Errorf("%s\n%v\nplan %q, want a search of %s and no sort", stmt, args, plan, q.index)
			}
		}
	}
}

// TestRunListIndexesFillTheirPages: closes written through Temporal's
// plugin, one after another as runs finish, leave the run list's indexes
// at most a quarter empty (Temporal's newest-first order left them half
// empty).
func TestRunListIndexesFillTheirPages(t *testing.T) {
	raw := devRunList(t, 3000, func(_ int, row *sqlplugin.VisibilityRow) {
		row.Status, (*row.SearchAttributes)["Keyword01"] = 3, "failed" // into every index
	})
	rows, err := raw.Query(`SELECT name, sum(unused) * 1.0 / sum(pgsize) FROM dbstat WHERE name IN ('default_idx', 'by_status', 'by_keyword_01') GROUP BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := 0
	for rows.Next() {
		var name string
		var unused float64
		if err := rows.Scan(&name, &unused); err != nil {
			t.Fatal(err)
		}
		seen++
		if unused > 0.25 {
			t.Errorf("index %s is %.0f%% unused space, want at most 25%%", name, unused*100)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if seen != 3 {
		t.Errorf("measured %d indexes, want default_idx, by_status and by_keyword_01 (HookStatus)", seen)
	}
}

// TestRareValueIndexesSkipCommonRuns: completed runs stay out of the
// status indexes; failed and running ones go in.
func TestRareValueIndexesSkipCommonRuns(t *testing.T) {
	raw := devRunList(t, 100, func(i int, row *sqlplugin.VisibilityRow) {
		switch {
		case i%10 == 0:
			row.Status, (*row.SearchAttributes)["Keyword01"] = 3, "failed"
		case i%25 == 1:
			row.Status, row.CloseTime, (*row.SearchAttributes)["Keyword01"] = 1, nil, "running"
		}
	})
	// An index b-tree keeps entries in its interior pages too: count all cells.
	for index, want := range map[string]int{"default_idx": 100, "by_status": 14, "by_keyword_01": 14} {
		var entries int
		if err := raw.QueryRow(`SELECT coalesce(sum(ncell), 0) FROM dbstat WHERE name = ?`, index).Scan(&entries); err != nil {
			t.Fatal(err)
		}
		if entries != want {
			t.Errorf("index %s has %d entries, want %d (10 failed and 4 running runs of 100)", index, entries, want)
		}
	}
}

// devRunList writes n runs as they close (closedRun, changed by edit)
// through Temporal's plugin into a run list with hookflow dev's indexes,
// and opens the file to inspect it.
func devRunList(t *testing.T, n int, edit func(i int, row *sqlplugin.VisibilityRow)) *sql.DB {
	t.Helper()
	db, file := runListDB(t, func(existing map[string]string) ([]string, []string) {
		return planVisibilityIndexes(existing, devAliases, devIndexing)
	})
	start := time.Now()
	for i := range n {
		row := closedRun(i, start)
		edit(i, row)
		if _, err := db.ReplaceIntoVisibility(context.Background(), row); err != nil {
			t.Fatal(err)
		}
	}
	raw := openFile(t, file)
	return raw
}

// queryPlan is SQLite's plan for stmt, one line per step.
func queryPlan(t *testing.T, db *sql.DB, stmt string, args ...any) []string {
	t.Helper()
	rows, err := db.Query("EXPLAIN QUERY PLAN "+stmt, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return plan
}

func indexes(t *testing.T, file string) []string {
	t.Helper()
	db := openFile(t, file)
	indexes, err := visibilityIndexes(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return slices.Sorted(maps.Keys(indexes))
}
