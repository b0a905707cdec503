package devserver

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookflow/hookflow/internal/procs"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/metrics"
	persistencesql "go.temporal.io/server/common/persistence/sql"
	"go.temporal.io/server/common/persistence/sql/sqlplugin"
	"go.temporal.io/server/common/resolver"
)

// devAliases are hookflow's keyword attributes, as the dev server maps
// them, and devIndexing how hookflow dev indexes them.
var (
	devAliases = map[string]string{"Keyword01": "HookStatus", "Keyword02": "HookRulesVersion", "Keyword03": "HookTrigger",
		"Keyword04": "HookEventType", "Keyword05": "HookEventId", "Keyword06": "HookCorrelationKey", "KeywordList01": "HookRules"}
	devIndexing = columnIndexing{
		unindexed: []string{"HookRulesVersion", "HookTrigger", "HookEventType"},
		rare:      map[string][]string{"HookStatus": {"canceled", "failed", "running"}},
	}
)

// devPlan is the index plan hookflow dev applies to a run list.
func devPlan(existing map[string]string) (drop, create []string) {
	return planVisibilityIndexes(existing, devAliases, devIndexing)
}

// BenchmarkRunListClose is the run list's write for a webhook run: one
// row, written when the run closes, through Temporal's SQLite plugin with
// the indexes Temporal creates and with those the dev server keeps, and
// through the dev server's plugin (statements compiled once).
func BenchmarkRunListClose(b *testing.B) {
	for _, v := range []struct {
		name     string
		plan     func(existing map[string]string) (drop, create []string)
		prepared bool
	}{
		{"temporal", func(map[string]string) ([]string, []string) { return nil, nil }, false},
		{"dev", devPlan, false},
		{"dev-prepared", devPlan, true},
	} {
		b.Run(v.name, func(b *testing.B) {
			db, file := runListDB(b, v.plan)
			if v.prepared {
				db = openPreparedRunList(b, file)
			}
			ctx := context.Background()
			start := time.Now()
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				if _, err := db.ReplaceIntoVisibility(ctx, closedRun(i, start)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// runListDB makes a run-list database file, applies plan's index changes
// to it and opens it through Temporal's SQLite plugin; it returns the
// plugin's handle and the file.
func runListDB(tb testing.TB, plan func(existing map[string]string) (drop, create []string)) (sqlplugin.DB, string) {
	tb.Helper()
	file := filepath.Join(tb.TempDir(), "vis.db")
	conf := fileSQLConfig(file)
	if err := createDatabase(conf); err != nil {
		tb.Fatal(err)
	}
	raw := openFile(tb, file)
	names, err := visibilityIndexes(context.Background(), raw)
	if err != nil {
		tb.Fatal(err)
	}
	drop, create := plan(names)
	if err := applyVisibilityIndexes(context.Background(), raw, drop, create); err != nil {
		tb.Fatal(err)
	}
	db, err := persistencesql.NewSQLDB(sqlplugin.DbKindVisibility, conf, resolver.NewNoopResolver(), log.NewNoopLogger(), metrics.NoopMetricsHandler)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db, file
}

// openFile opens the SQLite file for the rest of the test.
func openFile(tb testing.TB, file string) *sql.DB {
	tb.Helper()
	db, err := sql.Open("sqlite", "file:"+file)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// closedRun is the i-th webhook run's row as it closes, i milliseconds
// after start.
func closedRun(i int, start time.Time) *sqlplugin.VisibilityRow {
	started := start.Add(time.Duration(i) * time.Millisecond)
	closed := started.Add(20 * time.Millisecond)
	n := int64(8)
	attrs := sqlplugin.VisibilitySearchAttributes{
		"Keyword01": "completed", "Keyword02": "5998e2b3bbe5", "Keyword03": "orders", "Keyword04": "order.paid",
		"Keyword05": fmt.Sprintf("evt-%d", i), "KeywordList01": []string{"relay"},
	}
	return &sqlplugin.VisibilityRow{
		NamespaceID: "7c7c2a4e-1c9a-4d0a-8b7e-1f0c8b5a9d21", RunID: fmt.Sprintf("01a227cc-99bb-7ac3-9050-%012d", i),
		WorkflowTypeName: "HandleEventV2", WorkflowID: fmt.Sprintf("orders/evt-%d", i),
		StartTime: started, ExecutionTime: started, Status: 2, CloseTime: &closed,
		HistoryLength: &n, HistorySizeBytes: &n, ExecutionDuration: &n, StateTransitionCount: &n,
		Encoding: "Proto3", TaskQueue: "hookflow", SearchAttributes: &attrs, RootWorkflowID: fmt.Sprintf("orders/evt-%d", i), RootRunID: "r",
	}
}

// BenchmarkRunListClosesTogether is the run list's writes as the history
// service makes them under load: 16 workers closing runs at once, each
// row in its own transaction (Temporal's plugin, statements compiled) or
// batched with those waiting for the connection (the dev server's).
func BenchmarkRunListClosesTogether(b *testing.B) {
	for _, batched := range []bool{false, true} {
		name := "one-per-transaction"
		if batched {
			name = "batched"
		}
		b.Run(name, func(b *testing.B) {
			_, file := runListDB(b, devPlan)
			db := openPreparedRunList(b, file).(*preparedDB)
			write := db.DB.ReplaceIntoVisibility
			if batched {
				write = db.ReplaceIntoVisibility
			}
			ctx := context.Background()
			start := time.Now()
			var next atomic.Int64
			rows, batches := runListBatchedRows.Load(), runListBatchCount.Load()
			b.ReportAllocs()
			b.SetParallelism(8)  // 16 goroutines on 2 Ps
			cpu := processCPU(b) // CPU, not time: the goroutines wait for one connection
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := write(ctx, closedRun(int(next.Add(1)), start)); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64((processCPU(b)-cpu).Microseconds())/float64(b.N), "cpu-µs/op")
			if n := runListBatchCount.Load() - batches; n > 0 {
				b.ReportMetric(float64(runListBatchedRows.Load()-rows)/float64(n), "rows/batch")
			}
		})
	}
}

// processCPU is the process's CPU time so far.
func processCPU(tb testing.TB) time.Duration {
	d, ok := procs.ProcessCPU()
	if !ok {
		tb.Fatal("no CPU clock for this process")
	}
	return d
}
