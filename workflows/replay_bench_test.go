package workflows_test

import (
	"log/slog"
	"os"
	"testing"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"

	"github.com/hookflow/hookflow/internal/procs"
	"github.com/hookflow/hookflow/workflows"
)

// BenchmarkReplaySequentialRun replays a run of one rule with two sequential
// calls: the workflow code's and the SDK's share of a run's CPU (decoding,
// coroutines, commands), without a server.
//
//	go test ./workflows -run '^$' -bench ReplaySequentialRun -benchmem -count 5
func BenchmarkReplaySequentialRun(b *testing.B) {
	f, err := os.Open("testdata/history_v2_sequential.json")
	if err != nil {
		b.Fatal(err)
	}
	history, err := client.HistoryFromJSON(f, client.HistoryJSONOptions{})
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	r := worker.NewWorkflowReplayer()
	workflows.Register(r)
	logger := sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler))
	b.ReportAllocs()
	cpu0, measured := procs.ProcessCPU()
	for b.Loop() {
		if err := r.ReplayWorkflowHistory(logger, history); err != nil {
			b.Fatal(err)
		}
	}
	if cpu1, _ := procs.ProcessCPU(); measured {
		b.ReportMetric(float64(cpu1-cpu0)/float64(b.N), "cpu-ns/op")
	}
}
