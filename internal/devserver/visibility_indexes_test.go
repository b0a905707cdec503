package devserver

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
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
		s, err := Start(context.Background(), Options{UIPort: -1, DBFile: file, Logger: logger, SearchAttributes: attrs, Unindexed: []string{"HookStatus"}})
		if err != nil {
			t.Fatal(err)
		}
		s.Stop()
	}
	attrs := map[string]enumspb.IndexedValueType{"HookStatus": enumspb.INDEXED_VALUE_TYPE_KEYWORD, "HookEventId": enumspb.INDEXED_VALUE_TYPE_KEYWORD, "HookRules": enumspb.INDEXED_VALUE_TYPE_KEYWORD_LIST}
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
		t.Fatalf("after the first start: %v; want the kept ones and HookEventId's keyword column, not HookStatus's", first)
	}
	if len(second) != len(first)+1 || !slices.ContainsFunc(second, func(n string) bool { return strings.HasPrefix(n, "by_int_") }) {
		t.Fatalf("after registering OrderN: %v; want its int column indexed too", second)
	}
}

func TestPlanVisibilityIndexes(t *testing.T) {
	existing := []string{"by_status", "by_keyword_01", "by_keyword_02", "default_idx", "by_workflow_id", "by_int_01", "by_bool_01"}
	aliases := map[string]string{"Keyword01": "HookStatus", "Keyword02": "HookEventId", "Keyword03": "OrderEmail", "KeywordList01": "HookRules"}
	drop, create := planVisibilityIndexes(existing, aliases, []string{"HookStatus"})
	if want := []string{"by_bool_01", "by_int_01", "by_keyword_01", "by_status"}; !slices.Equal(drop, want) {
		t.Errorf("drop %v, want %v", drop, want)
	}
	if len(create) != 2 || !strings.Contains(create[0], "by_keyword_02 ON executions_visibility (namespace_id, Keyword02,") ||
		!strings.Contains(create[1], "by_keyword_03 ON executions_visibility (namespace_id, Keyword03,") {
		t.Errorf("create %q, want by_keyword_02 (kept if it exists) and by_keyword_03", create)
	}
}

func indexes(t *testing.T, file string) []string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+file)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	names, err := visibilityIndexes(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return names
}
