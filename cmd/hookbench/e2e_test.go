package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A short bounded run of the real tool against a real `hookflow dev` (a
// subprocess on loopback with a file database), with both baselines: every
// event is delivered once, and the figures come from the dev process.
func TestRunAgainstHookflowDev(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts hookflow dev")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "hookflow")
	build := exec.Command("go", "build", "-o", bin, "../hookflow")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build hookflow: %v\n%s", err, out)
	}
	receiver := freeAddr(t)
	db := filepath.Join(dir, "bench.db")
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	dev := exec.CommandContext(ctx, bin, "dev", "--project", "../../samples/bench", "--listen", "127.0.0.1:0",
		"--temporal-port", "0", "--ui-port", "-1", "--db", db, "--log-level", "warn")
	dev.Env = append(os.Environ(), "BENCH_RECEIVER_URL=http://"+receiver)
	dev.Cancel = func() error { return dev.Process.Signal(os.Interrupt) }
	dev.WaitDelay = 20 * time.Second
	var devErr bytes.Buffer
	dev.Stderr = &devErr
	out, err := dev.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := dev.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); _ = dev.Wait() }()
	hooks, temporal := readDevAddrs(t, out, &devErr)

	t.Setenv("HOOKBENCH_TEST_AS_CLI", "1") // the baselines' child processes
	var stdout, stderr bytes.Buffer
	err = run(ctx, []string{
		"--target", hooks, "--project", "../../samples/bench", "--receiver", receiver,
		"--concurrency", "4", "--count", "20", "--drain", "3m",
		"--baselines", "both", "--temporal", temporal, "--db", db, "--json", "--quiet",
	}, os.LookupEnv, &stdout, &stderr)
	if err != nil {
		t.Fatalf("hookbench: %v\n%s\ndev: %s", err, stderr.String(), devErr.String())
	}
	var rep runReport
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("--json output: %v\n%s", err, stdout.String())
	}
	phases := map[string]bool{}
	for _, r := range rep.Results {
		phases[r.Phase] = true
		if r.Registered != 20 || r.Acked != 20 || r.Delivered != 20 || r.Lost != 0 || r.Duplicates != 0 || r.Calls != 40 {
			t.Errorf("%s: tally %+v, want 20 events delivered with 40 calls", r.Phase, r.Tally)
		}
		if r.EndToEnd.Count != 20 || r.EndToEnd.P50 <= 0 || r.EndToEnd.Max < r.EndToEnd.P99 {
			t.Errorf("%s: end to end %+v", r.Phase, r.EndToEnd)
		}
		if len(r.Procs) == 0 || r.Procs[0].RSSPeakMB <= 0 {
			t.Errorf("%s: processes %+v", r.Phase, r.Procs)
		}
		switch r.Phase {
		case "hookflow":
			if r.Procs[0].PID != dev.Process.Pid {
				t.Errorf("measured pid %d, want hookflow dev's %d (found by its port)", r.Procs[0].PID, dev.Process.Pid)
			}
			if r.Procs[0].CPUSeconds <= 0 {
				t.Errorf("hookflow dev used no CPU for 20 runs: /proc was not read")
			}
			var fs syscall.Statfs_t
			if _, err := os.Stat("/proc/self/io"); err == nil && syscall.Statfs(filepath.Dir(db), &fs) == nil && fs.Type != 0x01021994 { // not tmpfs, whose writes are not storage writes
				if r.Procs[0].WrittenKBPerEvent <= 0 {
					t.Errorf("hookflow dev wrote nothing to storage for 20 runs on a file database: /proc/PID/io was not read")
				}
			}
			if r.DB == nil || r.DB.End.Total() <= r.DB.Start.Total() {
				t.Errorf("database %+v, want growth", r.DB)
			}
			if !strings.HasPrefix(r.SampleEventID, "bench/hb") {
				t.Errorf("sample run %q", r.SampleEventID)
			}
		case "forwarder":
			if r.Procs[0].PID == os.Getpid() || r.Procs[0].PID == dev.Process.Pid {
				t.Errorf("the forwarder should be measured in its own process, got pid %d", r.Procs[0].PID)
			}
		case "temporal":
			if len(r.Procs) != 2 || r.Procs[1].PID != dev.Process.Pid {
				t.Errorf("the temporal baseline should count its worker and the server's process: %+v", r.Procs)
			}
		}
	}
	if !phases["hookflow"] || !phases["forwarder"] || !phases["temporal"] || len(rep.Ratios) != 2 {
		t.Fatalf("phases %v, ratios %+v; want hookflow and both baselines", phases, rep.Ratios)
	}

	// The run it names has a history.
	var hist bytes.Buffer
	if err := run(ctx, []string{"history", "--temporal", temporal, rep.Results[0].SampleEventID}, os.LookupEnv, &hist, &stderr); err != nil {
		t.Fatalf("history: %v", err)
	}
	if !strings.Contains(hist.String(), "WorkflowExecutionCompleted") || !strings.Contains(hist.String(), " events, ") {
		t.Errorf("history:\n%s", hist.String())
	}
}

func TestRefusesARemoteTarget(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"--target", "http://192.0.2.10:8080", "--concurrency", "1", "--count", "1", "--baselines", "none"}, os.LookupEnv, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "--allow-remote") {
		t.Fatalf("err = %v, want a refusal naming --allow-remote", err)
	}
	err = run(context.Background(), []string{"--concurrency", "1"}, os.LookupEnv, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "bound the run") {
		t.Fatalf("err = %v, want a request for a bound", err)
	}
}

// freeAddr is a loopback address nothing listens on (for the receiver,
// whose address the target must know before it starts).
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// readDevAddrs reads the webhook base URL and the Temporal address from
// hookflow dev's banner.
func readDevAddrs(t *testing.T, out interface{ Read([]byte) (int, error) }, devErr *bytes.Buffer) (hooks, temporal string) {
	t.Helper()
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		f := strings.Fields(lines.Text())
		if len(f) >= 2 && f[0] == "webhooks" {
			hooks = strings.TrimSuffix(f[1], "/hooks/{trigger}")
		}
		if len(f) >= 2 && f[0] == "temporal" {
			temporal = f[1]
		}
		if hooks != "" && temporal != "" {
			go func() { // keep draining so dev never blocks on its stdout
				for lines.Scan() {
				}
			}()
			return hooks, temporal
		}
	}
	t.Fatalf("hookflow dev exited before its banner: %s", devErr.String())
	return "", ""
}
