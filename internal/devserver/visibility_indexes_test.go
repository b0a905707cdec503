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
// one registered on a later start, and drops the rest.
func TestVisibilityIndexesTrimmed(t *testing.T) {
	file := filepath.Join(t.TempDir(), "dev.db")
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	start := func(attrs map[string]enumspb.IndexedValueType) {
		t.Helper()
		s, err := Start(context.Background(), Options{UIPort: -1, DBFile: file, Logger: logger, SearchAttributes: attrs})
		if err != nil {
			t.Fatal(err)
		}
		s.Stop()
	}
	start(map[string]enumspb.IndexedValueType{"HookStatus": enumspb.INDEXED_VALUE_TYPE_KEYWORD, "HookRules": enumspb.INDEXED_VALUE_TYPE_KEYWORD_LIST})
	first := indexes(t, devdb.VisibilityFile(file))
	start(map[string]enumspb.IndexedValueType{"HookStatus": enumspb.INDEXED_VALUE_TYPE_KEYWORD, "HookRules": enumspb.INDEXED_VALUE_TYPE_KEYWORD_LIST, "OrderN": enumspb.INDEXED_VALUE_TYPE_INT})
	second := indexes(t, devdb.VisibilityFile(file))
	for _, kept := range keptIndexes {
		if !slices.Contains(first, kept) {
			t.Errorf("index %s was dropped: %v", kept, first)
		}
	}
	if len(first) != len(keptIndexes)+1 || !slices.ContainsFunc(first, func(n string) bool { return indexColumn(n) != "" }) {
		t.Fatalf("after the first start: %v; want the kept ones and HookStatus's keyword column", first)
	}
	if len(second) != len(first)+1 || !slices.ContainsFunc(second, func(n string) bool { return strings.HasPrefix(n, "by_int_") }) {
		t.Fatalf("after registering OrderN: %v; want its int column indexed too", second)
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
