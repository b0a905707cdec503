package devserver

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/metrics"
	persistencesql "go.temporal.io/server/common/persistence/sql"
	"go.temporal.io/server/common/persistence/sql/sqlplugin"
	"go.temporal.io/server/common/resolver"
)

// BenchmarkRunListClose is the run list's write for a webhook run: one
// row, written when the run closes, through Temporal's SQLite plugin, with
// the indexes Temporal creates and those the dev server keeps.
func BenchmarkRunListClose(b *testing.B) {
	// hookflow's keyword attributes, as the dev server maps them.
	aliases := map[string]string{"Keyword01": "HookStatus", "Keyword02": "HookRulesVersion", "Keyword03": "HookTrigger",
		"Keyword04": "HookEventType", "Keyword05": "HookEventId", "Keyword06": "HookCorrelationKey", "KeywordList01": "HookRules"}
	for _, v := range []struct {
		name string
		plan func(existing map[string]string) (drop, create []string)
	}{
		{"temporal", func(map[string]string) ([]string, []string) { return nil, nil }},
		{"dev", func(existing map[string]string) ([]string, []string) {
			return planVisibilityIndexes(existing, aliases, []string{"HookRulesVersion", "HookTrigger", "HookEventType"})
		}},
	} {
		b.Run(v.name, func(b *testing.B) {
			file := filepath.Join(b.TempDir(), "vis.db")
			conf := fileSQLConfig(file)
			if err := createDatabase(conf); err != nil {
				b.Fatal(err)
			}
			raw, err := sql.Open("sqlite", "file:"+file)
			if err != nil {
				b.Fatal(err)
			}
			names, err := visibilityIndexes(context.Background(), raw)
			if err != nil {
				b.Fatal(err)
			}
			drop, create := v.plan(names)
			if err := applyVisibilityIndexes(context.Background(), raw, drop, create); err != nil {
				b.Fatal(err)
			}
			raw.Close()
			db, err := persistencesql.NewSQLDB(sqlplugin.DbKindVisibility, conf, resolver.NewNoopResolver(), log.NewNoopLogger(), metrics.NoopMetricsHandler)
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			ctx := context.Background()
			start := time.Now()
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				started := start.Add(time.Duration(i) * time.Millisecond)
				closed := started.Add(20 * time.Millisecond)
				n := int64(8)
				attrs := sqlplugin.VisibilitySearchAttributes{
					"Keyword01": "completed", "Keyword02": "5998e2b3bbe5", "Keyword03": "orders", "Keyword04": "order.paid",
					"Keyword05": fmt.Sprintf("evt-%d", i), "KeywordList01": []string{"relay"},
				}
				row := &sqlplugin.VisibilityRow{
					NamespaceID: "7c7c2a4e-1c9a-4d0a-8b7e-1f0c8b5a9d21", RunID: fmt.Sprintf("01a227cc-99bb-7ac3-9050-%012d", i),
					WorkflowTypeName: "HandleEventV2", WorkflowID: fmt.Sprintf("orders/evt-%d", i),
					StartTime: started, ExecutionTime: started, Status: 2, CloseTime: &closed,
					HistoryLength: &n, HistorySizeBytes: &n, ExecutionDuration: &n, StateTransitionCount: &n,
					Encoding: "Proto3", TaskQueue: "hookflow", SearchAttributes: &attrs, RootWorkflowID: fmt.Sprintf("orders/evt-%d", i), RootRunID: "r",
				}
				if _, err := db.ReplaceIntoVisibility(ctx, row); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
