//go:build !slim

package main

import (
	"bufio"
	"context"
	"errors"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestDevGovernsItsProcs runs `hookflow dev` as a process: with --procs
// auto, idle, it narrows to one P (its /metrics shows GOMAXPROCS 1);
// without, it keeps the runtime's default.
func TestDevGovernsItsProcs(t *testing.T) {
	dir := t.TempDir()
	if err := writeProject(dir, idsProject, idsRules); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		procs string
		want  int
	}{
		{"auto", "auto", 1},
		{"all", "all", runtime.GOMAXPROCS(0)},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			addr, _ := startDevProcess(t, dir, nil, "--procs", c.procs)
			// The governor narrows after 2 s under half a core; give an
			// idle process five times that, then read it.
			deadline := time.Now().Add(10 * time.Second)
			got := 0
			for time.Now().Before(deadline) {
				var err error
				got, err = scrapeGomaxprocs("http://" + addr + "/metrics")
				if err != nil {
					t.Fatal(err)
				}
				if got == c.want && c.want == 1 {
					return
				}
				time.Sleep(200 * time.Millisecond)
			}
			if got != c.want {
				t.Fatalf("idle dev process after 10 s: GOMAXPROCS %d, want %d", got, c.want)
			}
		})
	}
}

// scrapeGomaxprocs reads go_sched_gomaxprocs_threads from a /metrics page.
func scrapeGomaxprocs(url string) (int, error) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "go_sched_gomaxprocs_threads "); ok {
			f, err := strconv.ParseFloat(v, 64)
			return int(f), err
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, errors.New("no go_sched_gomaxprocs_threads on " + url)
}

func TestGovernProcsRefusesWhatItCannotDo(t *testing.T) {
	none := func(string) (string, bool) { return "", false }
	if err := governProcs(context.Background(), "all", func(string) (string, bool) { return "2", true }); err != nil {
		t.Errorf("--procs all with GOMAXPROCS=2: %v, want nil (the runtime reads GOMAXPROCS)", err)
	}
	err := governProcs(context.Background(), "auto", func(k string) (string, bool) { return "2", k == "GOMAXPROCS" })
	if err == nil || !strings.Contains(err.Error(), "GOMAXPROCS=2") || !strings.Contains(err.Error(), "drop one") {
		t.Errorf("--procs auto with GOMAXPROCS=2: %v, want an error naming both", err)
	}
	if err := governProcs(context.Background(), "3", none); err == nil || !strings.Contains(err.Error(), `"all" or "auto"`) {
		t.Errorf("--procs 3: %v, want an error listing the values", err)
	}
}

// startDevProcess runs `hookflow dev` on the project in dir as a process
// (in memory, no Web UI, a free port) with vars in its environment and
// extra flags, and waits until it is ready: its address and the process.
func startDevProcess(t *testing.T, dir string, vars map[string]string, extra ...string) (string, *hookflowProcess) {
	t.Helper()
	addr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	args := append([]string{"dev", "--project", dir, "--listen", addr,
		"--temporal-port", "0", "--ui-port", "-1", "--ephemeral", "--log-level", "warn"}, extra...)
	dev := startHookflow(t, vars, args...)
	if err := waitReady("http://"+addr+"/readyz", 90*time.Second); err != nil {
		t.Fatalf("%v\n%s", err, dev.log.String())
	}
	return addr, dev
}
