//go:build cluster

package clustertest

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// proc is one child process of the cluster: a Temporal node, a serve or a
// worker. Its output goes to a log file in the test's directory; the end of
// it is printed when the test fails.
type proc struct {
	t    testing.TB
	name string
	path string
	args []string
	env  []string
	log  string

	mu      sync.Mutex
	cmd     *exec.Cmd
	exited  chan struct{}
	starts  int
	stopped bool // by the test: an exit is expected
}

func newProc(t testing.TB, dir, name, path string, args, env []string) *proc {
	p := &proc{t: t, name: name, path: path, args: args, env: env, log: filepath.Join(dir, name+".log")}
	t.Cleanup(func() {
		p.kill()
		if t.Failed() {
			t.Logf("--- last lines of %s (%s):\n%s", name, p.log, tail(p.log, 30))
		}
	})
	return p
}

// start runs the process; a process killed by the test can be started again.
func (p *proc) start() {
	p.t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	f, err := os.OpenFile(p.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		p.t.Fatal(err)
	}
	p.starts++
	fmt.Fprintf(f, "\n==== start %d of %s at %s\n", p.starts, p.name, time.Now().Format(time.RFC3339Nano))
	cmd := exec.Command(p.path, p.args...)
	cmd.Env = append(os.Environ(), p.env...)
	cmd.Stdout, cmd.Stderr = f, f
	// Its own process group, so a signal to the test does not reach it first.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		f.Close()
		p.t.Fatalf("start %s: %v", p.name, err)
	}
	exited := make(chan struct{})
	p.cmd, p.exited, p.stopped = cmd, exited, false
	go func() {
		err := cmd.Wait()
		f.Close()
		p.mu.Lock()
		expected := p.stopped
		p.mu.Unlock()
		if !expected {
			p.t.Errorf("%s exited on its own: %v\n%s", p.name, err, tail(p.log, 30))
		}
		close(exited)
	}()
}

// kill is kill -9: no goodbye, no graceful shutdown.
func (p *proc) kill() time.Time {
	p.mu.Lock()
	cmd, exited := p.cmd, p.exited
	p.stopped = true
	p.mu.Unlock()
	at := time.Now()
	if cmd == nil {
		return at
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	<-exited
	return at
}

// running says whether the process was started and has not exited.
func (p *proc) running() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.exited == nil {
		return false
	}
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// tail is the last n lines of a file.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}

// freePort is a loopback port nobody listens on now. Another process may
// take it before ours does; the test then fails at start with a clear error.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// freeMembershipPort is a free loopback port below 32768: Temporal's SQL
// schema stores membership ports as a smallint, so the kernel's ephemeral
// ports (32768 and up) are refused.
func freeMembershipPort(t testing.TB) int {
	t.Helper()
	for range 1000 {
		port := 20000 + rand.IntN(12000)
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			l.Close()
			return port
		}
	}
	t.Fatal("no free port between 20000 and 32000")
	return 0
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(timeout time.Duration, what string, cond func() error) error {
	deadline := time.Now().Add(timeout)
	var err error
	for {
		if err = cond(); err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: not within %s: %w", what, timeout, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// goCmd runs the go command in the repository root and returns its output.
func goCmd(root string, args ...string) (string, error) {
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return strings.TrimSpace(string(out)), nil
}

// repoRoot is the directory of the module's go.mod.
func repoRoot(t testing.TB) string {
	t.Helper()
	gomod, err := goCmd(".", "env", "GOMOD")
	if err != nil || gomod == "" || gomod == os.DevNull {
		t.Fatalf("find the module root: %v", errors.Join(err, errors.New("go env GOMOD is empty")))
	}
	return filepath.Dir(gomod)
}
