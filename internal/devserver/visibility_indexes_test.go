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

	enumspb "go.temporal.io/api/enums/v1"

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
	for _, kept := range keptIndexes {
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
	full := func(col string) string { return "CREATE INDEX x ON executions_visibility (namespace_id, " + col + ")" }
	existing := map[string]string{
		"by_status": full("status"), "by_keyword_01": full("Keyword01"), "default_idx": full("x"), "by_workflow_id": full("workflow_id"),
		"by_int_01": full("Int01"), "by_bool_01": full("Bool01"),
		"by_keyword_02": full("Keyword02"),                                  // made before indexes were partial
		"by_keyword_04": full("Keyword04") + " WHERE Keyword04 IS NOT NULL", // current
	}
	aliases := map[string]string{"Keyword01": "HookTrigger", "Keyword02": "HookEventId", "Keyword03": "OrderEmail", "Keyword04": "HookCorrelationKey", "KeywordList01": "HookRules"}
	drop, create := planVisibilityIndexes(existing, aliases, []string{"HookTrigger"})
	if want := []string{"by_bool_01", "by_int_01", "by_keyword_01", "by_keyword_02"}; !slices.Equal(drop, want) {
		t.Errorf("drop %v, want %v", drop, want)
	}
	if len(create) != 3 {
		t.Fatalf("create %q, want Keyword02, 03 and 04's", create)
	}
	for i, col := range []string{"Keyword02", "Keyword03", "Keyword04"} {
		if !strings.Contains(create[i], "(namespace_id, "+col+",") || !strings.HasSuffix(create[i], "WHERE "+col+" IS NOT NULL") {
			t.Errorf("create %q, want a partial index on %s", create[i], col)
		}
	}
}

// TestPartialIndexServesValueQueries: SQLite lists runs by an attribute's
// value through its partial index, newest first, without sorting.
func TestPartialIndexServesValueQueries(t *testing.T) {
	file := filepath.Join(t.TempDir(), "vis.db")
	if err := createDatabase(fileSQLConfig(file)); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+file)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	existing, err := visibilityIndexes(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	drop, create := planVisibilityIndexes(existing, map[string]string{"Keyword05": "HookCorrelationKey"}, nil)
	if err := applyVisibilityIndexes(context.Background(), db, drop, create); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(`EXPLAIN QUERY PLAN SELECT run_id FROM executions_visibility WHERE namespace_id = 'n' AND TemporalNamespaceDivision IS NULL AND Keyword05 = 'inv-1' ORDER BY COALESCE(close_time, '9999-12-31 23:59:59+00:00') DESC, start_time DESC, run_id LIMIT 20`)
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
	if len(plan) != 1 || !strings.Contains(plan[0], "USING INDEX by_keyword_05 (namespace_id=? AND Keyword05=?)") {
		t.Errorf("plan %q, want a search of by_keyword_05 and no sort", plan)
	}
}

func indexes(t *testing.T, file string) []string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+file)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	indexes, err := visibilityIndexes(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return slices.Sorted(maps.Keys(indexes))
}
