//go:build cluster

package clustertest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkClusterWorkers runs the load tool against hookflow on the
// production topology, one Temporal node on PostgreSQL and one serve, with
// one worker and then two, and reports delivered events/s per worker count
// (issue 12: "events/s per added worker"). On one machine every process
// shares its cores, so the figures say how the processes divide them, not
// what a second machine adds.
//
//	go test -tags cluster ./deploy/clustertest -run '^$' -bench ClusterWorkers -benchtime 1x -v
func BenchmarkClusterWorkers(b *testing.B) {
	root := repoRoot(b)
	dir := b.TempDir()
	bin := buildHookflow(b, root, dir)
	hookbench := filepath.Join(dir, "hookbench")
	if out, err := goCmd(root, "build", "-o", hookbench, "./cmd/hookbench"); err != nil {
		b.Fatalf("build hookbench: %v\n%s", err, out)
	}
	lb, _, _ := startTemporal(b, root, dir, 1)

	// The bench project with its own secret (serve refuses the public
	// default) and hookbench's receiver as its integration.
	project := filepath.Join(root, "samples", "bench")
	receiver := fmt.Sprintf("127.0.0.1:%d", freePort(b))
	env := []string{"BENCH_RECEIVER_URL=http://" + receiver, "BENCH_SECRET=whsec_" + base64.StdEncoding.EncodeToString(randomBytes(b, 24))}
	setupHookflow(b, bin, env, lb.addr(), project)
	serve := newServe(b, dir, "serve-1", bin, project, lb.addr(), env)
	serve.start()

	for n := 1; n <= 2; n++ {
		newWorker(b, dir, fmt.Sprintf("worker-%d", n), bin, project, lb.addr(), env).start()
		serve.waitReady(b, 90*time.Second)
		time.Sleep(3 * time.Second) // the new worker's pollers reach the queue
		b.Run(fmt.Sprintf("workers=%d", n), func(b *testing.B) {
			res := runHookbench(b, hookbench, dir, project, serve.url, receiver, env, n)
			b.ReportMetric(res.DeliveredPerSec, "delivered/s")
			b.ReportMetric(res.EndToEnd.P99, "p99-ms")
			b.ReportMetric(res.machineCPUPerEvent(), "machine-cpu-ms/event")
			b.Logf("%d worker(s): %d sent, %d acknowledged, %d delivered (%.1f/s), %d lost, %d duplicated effects; end to end p50 %.1f ms, p99 %.1f ms; machine CPU %.1f ms per delivered event (every process, the load tool included)",
				n, res.Sent, res.Acked, res.Delivered, res.DeliveredPerSec, res.Lost, res.Duplicates, res.EndToEnd.P50, res.EndToEnd.P99, res.machineCPUPerEvent())
			if res.Lost > 0 {
				b.Errorf("%d acknowledged events lost", res.Lost)
			}
		})
	}
}

// benchResult is the part of hookbench's --json-file the benchmark reads.
type benchResult struct {
	Sent            int     `json:"sent"`
	Acked           int     `json:"acknowledged"`
	Delivered       int     `json:"delivered"`
	Lost            int     `json:"lost"`
	Duplicates      int64   `json:"duplicated_effects"`
	DeliveredPerSec float64 `json:"delivered_per_s"`
	DeliverSeconds  float64 `json:"deliver_seconds"`
	OtherCores      float64 `json:"other_cores"`
	EndToEnd        struct {
		P50 float64 `json:"p50_ms"`
		P99 float64 `json:"p99_ms"`
	} `json:"end_to_end"`
	Procs []struct {
		CPUSeconds float64 `json:"cpu_seconds"`
	} `json:"processes"`
}

// machineCPUPerEvent is the CPU of every process on the machine per
// delivered event: serve (hookbench's target) plus all the others.
func (r benchResult) machineCPUPerEvent() float64 {
	if r.Delivered == 0 {
		return 0
	}
	total := r.OtherCores * r.DeliverSeconds
	for _, p := range r.Procs {
		total += p.CPUSeconds
	}
	return total / float64(r.Delivered) * 1000
}

func runHookbench(b *testing.B, hookbench, dir, project, target, receiver string, env []string, workers int) benchResult {
	b.Helper()
	out := filepath.Join(dir, fmt.Sprintf("hookbench-%d.json", workers))
	cmd := exec.Command(hookbench, "--target", target, "--receiver", receiver, "--project", project,
		"--concurrency", "32", "--count", "1500", "--drain", "2m", "--baselines", "none", "--quiet", "--json-file", out)
	cmd.Env = append(os.Environ(), env...)
	if text, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("hookbench: %v\n%s", err, text)
	} else {
		b.Logf("hookbench with %d worker(s):\n%s", workers, text)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		b.Fatal(err)
	}
	var report struct {
		Results []benchResult `json:"results"`
	}
	if err := json.Unmarshal(data, &report); err != nil || len(report.Results) != 1 {
		b.Fatalf("hookbench's report %s: %v (%d results)", out, err, len(report.Results))
	}
	return report.Results[0]
}

func randomBytes(t testing.TB, n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}
