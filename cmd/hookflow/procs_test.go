//go:build !slim

package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestDevGovernsItsProcs runs `hookflow dev` as a process: by default and
// with --procs auto, idle, it narrows to one P (its /metrics shows
// GOMAXPROCS 1), and a surge of webhooks widens it again; with --procs all
// it keeps the runtime's default.
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
		{"default", "", 1},
		{"auto", "auto", 1},
		{"all", "all", runtime.GOMAXPROCS(0)},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var flags []string
			if c.procs != "" {
				flags = []string{"--procs", c.procs}
			}
			addr, _ := startDevProcess(t, dir, nil, flags...)
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
					break
				}
				time.Sleep(200 * time.Millisecond)
			}
			if got != c.want {
				t.Fatalf("idle dev process after 10 s: GOMAXPROCS %d, want %d", got, c.want)
			}
			if c.want == 1 {
				surgeWidens(t, addr, runtime.GOMAXPROCS(0))
			}
		})
	}
}

// surgeWidens sends 40 webhooks at once to a narrowed dev process, each
// answered 401 or 429 (no token): more than 15 answers in 100 ms are a surge,
// yet they cost too little CPU to widen it by that count. The process must
// be back at the default width within 3 s.
func surgeWidens(t *testing.T, addr string, want int) {
	t.Helper()
	var wg sync.WaitGroup
	for range 40 {
		wg.Go(func() {
			resp, err := http.Post("http://"+addr+"/hooks/ids", "application/json", strings.NewReader(`{"id":"surge","type":"t","key":"k"}`))
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			// 401, or 429 once the door limits the failures.
			if resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusTooManyRequests {
				t.Errorf("unsigned webhook: HTTP %d, want 401 or 429", resp.StatusCode)
			}
		})
	}
	wg.Wait()
	deadline := time.Now().Add(3 * time.Second)
	for {
		got, err := scrapeGomaxprocs("http://" + addr + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("3 s after a surge of 40 webhooks: GOMAXPROCS %d, want %d", got, want)
		}
		time.Sleep(100 * time.Millisecond)
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

func TestProcsSettingRefusesWhatItCannotDo(t *testing.T) {
	none := func(string) (string, bool) { return "", false }
	if governed, err := procsGoverned("all", "auto", func(string) (string, bool) { return "2", true }); governed || err != nil {
		t.Errorf("--procs all with GOMAXPROCS=2: %t, %v, want not governed and no error (the runtime reads GOMAXPROCS)", governed, err)
	}
	if governed, err := procsGoverned(" Auto ", "auto", none); !governed || err != nil {
		t.Errorf("--procs ' Auto ': %t, %v, want governed", governed, err)
	}
	_, err := procsGoverned("auto", "auto", func(k string) (string, bool) { return "2", k == "GOMAXPROCS" })
	if err == nil || !strings.Contains(err.Error(), "GOMAXPROCS=2") || !strings.Contains(err.Error(), "drop one") {
		t.Errorf("--procs auto with GOMAXPROCS=2: %v, want an error naming both", err)
	}
	if governed, err := procsGoverned("", "auto", none); !governed || err != nil {
		t.Errorf("no --procs: %t, %v, want governed (auto is the default)", governed, err)
	}
	if governed, err := procsGoverned("", "all", none); governed || err != nil {
		t.Errorf("no --procs, default all: %t, %v, want not governed", governed, err)
	}
	if governed, err := procsGoverned("", "auto", func(k string) (string, bool) { return "2", k == "GOMAXPROCS" }); governed || err != nil {
		t.Errorf("no --procs with GOMAXPROCS=2: %t, %v, want not governed and no error (the environment fixes the width)", governed, err)
	}
	if _, err := procsGoverned("3", "auto", none); err == nil || !strings.Contains(err.Error(), `"auto" or "all"`) {
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

// TestProcsCompletes: shells offer --procs's two values.
func TestProcsCompletes(t *testing.T) {
	var stdout bytes.Buffer
	if err := run(context.Background(), []string{"__complete", "dev", "--procs", ""}, noEnv, &stdout, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"auto", "all"} {
		if !strings.Contains(stdout.String(), w+"\n") {
			t.Errorf("dev --procs completion lacks %q:\n%s", w, &stdout)
		}
	}
}
