//go:build cluster

package clustertest

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The project every serve and worker runs: one trigger, and one rule of two
// steps in sequence, each a call to the deduplicating receiver. Each step's
// Idempotency-Key is <trigger>/<event id>/<rule>/<step>.
const clusterProject = `
rules: ./rules
outbound:
  allow_networks: [127.0.0.0/8]
triggers:
  orders:
    verify: { scheme: none }
    event_id: headers["x-event-id"]
integrations:
  shop:
    kind: webhook
    url: ${RECEIVER_URL}
`

const clusterRule = `
name: deliver
on: [orders]
steps:
  - id: charge
    call: shop.send
    with: { path: /charge, body: { order: "${{ payload.id }}" } }
  - id: notify
    call: shop.send
    needs: [charge]
    with: { path: /notify, body: { order: "${{ payload.id }}" } }
`

// stepKeys are the Idempotency-Keys one event's run sends, in order.
func stepKeys(eventID string) []string {
	return []string{"orders/" + eventID + "/deliver/charge", "orders/" + eventID + "/deliver/notify"}
}

func writeClusterProject(t testing.TB, dir string) string {
	t.Helper()
	proj := filepath.Join(dir, "project")
	if err := os.MkdirAll(filepath.Join(proj, "rules"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(proj, "hookflow.yaml"), []byte(clusterProject), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(proj, "rules", "deliver.yaml"), []byte(clusterRule), 0o644); err != nil {
		t.Fatal(err)
	}
	return proj
}

// buildHookflow builds the binary serve and worker run with the
// Dockerfile's own build command, so the test runs what the image ships.
func buildHookflow(t testing.TB, root, dir string) string {
	t.Helper()
	env, args := dockerBuild(t, filepath.Join(root, "Dockerfile"))
	bin := filepath.Join(dir, "hookflow")
	for i, a := range args {
		if a == "-o" && i+1 < len(args) {
			args[i+1] = bin
		}
	}
	start := time.Now()
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	t.Logf("built hookflow (%s go %s) in %s", strings.Join(env, " "), strings.Join(args, " "), time.Since(start).Round(time.Second))
	return bin
}

// dockerBuild finds the Dockerfile's `go build` and returns its environment
// assignments and the go command's arguments.
func dockerBuild(t testing.TB, dockerfile string) (env, args []string) {
	t.Helper()
	b, err := os.ReadFile(dockerfile)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.ReplaceAll(string(b), "\\\n", " ")
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		i := slices.Index(f, "go")
		if len(f) == 0 || f[0] != "RUN" || i < 0 || i+1 >= len(f) || f[i+1] != "build" {
			continue
		}
		for j := i - 1; j > 0 && strings.Contains(f[j], "=") && !strings.HasPrefix(f[j], "--"); j-- {
			env = append([]string{f[j]}, env...)
		}
		args = f[i+1:]
		if strings.ContainsAny(strings.Join(args, " "), "'\"$&;|") {
			t.Fatalf("%s: the go build line %q uses shell syntax this test does not read; keep it plain words", dockerfile, line)
		}
		return env, args
	}
	t.Fatalf("%s has no RUN ... go build line", dockerfile)
	return nil, nil
}

// hookflowProc is one `hookflow serve` or `hookflow worker` process.
type hookflowProc struct {
	*proc
	url string // serve: the webhook base URL
}

func newServe(t testing.TB, dir, name, bin, project, temporal string, env []string) *hookflowProc {
	listen := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	args := []string{"serve", "--project", project, "--temporal", temporal, "--listen", listen,
		"--metrics", fmt.Sprintf("127.0.0.1:%d", freePort(t)), "--log-format", "json"}
	return &hookflowProc{proc: newProc(t, dir, name, bin, args, env), url: "http://" + listen}
}

func newWorker(t testing.TB, dir, name, bin, project, temporal string, env []string) *hookflowProc {
	args := []string{"worker", "--project", project, "--temporal", temporal,
		"--metrics", fmt.Sprintf("127.0.0.1:%d", freePort(t)), "--log-format", "json"}
	return &hookflowProc{proc: newProc(t, dir, name, bin, args, env)}
}

// waitReady waits until serve's /readyz says Temporal answers and a worker polls.
func (h *hookflowProc) waitReady(t testing.TB, timeout time.Duration) {
	t.Helper()
	err := waitFor(timeout, h.name+" ready", func() error {
		resp, err := http.Get(h.url + "/readyz")
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("/readyz answered %s", resp.Status)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("%v\n%s", err, tail(h.log, 20))
	}
}

// setupHookflow runs `hookflow setup` for project against temporal, again
// while a node has not yet learned of the new namespace, as an operator
// would.
func setupHookflow(t testing.TB, bin string, env []string, temporal, project string) {
	t.Helper()
	if err := waitFor(2*time.Minute, "hookflow setup", func() error {
		out, err := runHookflow(bin, env, "setup", "--temporal", temporal, "--namespace", namespace, "--project", project)
		if err != nil {
			return fmt.Errorf("%w: %s", err, out)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// runHookflow runs a one-shot hookflow command, such as setup.
func runHookflow(bin string, env []string, args ...string) (string, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}
