//go:build cluster

package clustertest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"text/template"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/types/known/durationpb"
)

const serverModule = "go.temporal.io/server"

// temporalTools are the official Temporal server and its SQL schema tool,
// built from the server module at the version go.mod requires (both are
// `tool` lines in go.mod, so the build uses the module graph hookflow's
// own tests use), and the module's schema files.
type temporalTools struct {
	version string
	server  string // temporal-server
	sqlTool string // temporal-sql-tool
	schema  string // the module's schema/ directory
}

// buildTemporal builds the two programs once per version and Go toolchain,
// into the user's cache directory; later runs reuse them.
func buildTemporal(t testing.TB, root string) temporalTools {
	t.Helper()
	version, err := goCmd(root, "list", "-m", "-f", "{{.Version}}", serverModule)
	if err != nil {
		t.Fatal(err)
	}
	modDir, err := goCmd(root, "list", "-m", "-f", "{{.Dir}}", serverModule)
	if err != nil || modDir == "" {
		t.Fatalf("locate %s in the module cache (go mod download %s): %v", serverModule, serverModule, err)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "hookflow-cluster", "temporal-"+version+"-"+runtime.Version())
	tools := temporalTools{
		version: version,
		server:  filepath.Join(dir, "temporal-server"),
		sqlTool: filepath.Join(dir, "temporal-sql-tool"),
		schema:  filepath.Join(modDir, "schema"),
	}
	for path, pkg := range map[string]string{tools.server: serverModule + "/cmd/server", tools.sqlTool: serverModule + "/cmd/tools/sql"} {
		if _, err := os.Stat(path); err == nil {
			continue
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		tmp := path + ".building"
		if _, err := goCmd(root, "build", "-o", tmp, pkg); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, path); err != nil {
			t.Fatal(err)
		}
		t.Logf("built %s@%s in %s", pkg, version, time.Since(start).Round(time.Second))
	}
	return tools
}

// createSchema creates Temporal's two databases on pg and brings each to
// the newest schema version shipped in the module.
func createSchema(t testing.TB, tools temporalTools, pg *postgres) {
	t.Helper()
	for db, dir := range map[string]string{
		"temporal":            "postgresql/v12/temporal/versioned",
		"temporal_visibility": "postgresql/v12/visibility/versioned",
	} {
		base := []string{"--plugin", "postgres12", "--endpoint", "127.0.0.1", "--port", strconv.Itoa(pg.port), "--user", "postgres", "--database", db}
		for _, step := range [][]string{
			{"create-database"},
			{"setup-schema", "--version", "0.0"},
			{"update-schema", "--schema-dir", filepath.Join(tools.schema, dir)},
		} {
			cmd := exec.Command(tools.sqlTool, append(base, step...)...)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("temporal-sql-tool %s on %s: %v\n%s", step[0], db, err, out)
			}
		}
	}
}

// temporalNode is one Temporal server process running every service
// (frontend, history, matching, worker) on ports of its own.
type temporalNode struct {
	*proc
	frontend string // host:port of its frontend
}

type nodePorts struct {
	Frontend, FrontendMembership, FrontendHTTP int
	History, HistoryMembership                 int
	Matching, MatchingMembership               int
	Worker, WorkerMembership                   int
}

var nodeConfig = template.Must(template.New("node").Parse(`log:
  stdout: true
  level: warn
persistence:
  defaultStore: default
  visibilityStore: visibility
  numHistoryShards: 8
  datastores:
    default:
      sql:
        pluginName: postgres12
        databaseName: temporal
        connectAddr: "127.0.0.1:{{.PG}}"
        connectProtocol: tcp
        user: postgres
        maxConns: 20
        maxIdleConns: 20
        maxConnLifetime: 1h
    visibility:
      sql:
        pluginName: postgres12
        databaseName: temporal_visibility
        connectAddr: "127.0.0.1:{{.PG}}"
        connectProtocol: tcp
        user: postgres
        maxConns: 10
        maxIdleConns: 10
        maxConnLifetime: 1h
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: 127.0.0.1
services:
  frontend:
    rpc: { grpcPort: {{.P.Frontend}}, membershipPort: {{.P.FrontendMembership}}, httpPort: {{.P.FrontendHTTP}}, bindOnIP: 127.0.0.1 }
  history:
    rpc: { grpcPort: {{.P.History}}, membershipPort: {{.P.HistoryMembership}}, bindOnIP: 127.0.0.1 }
  matching:
    rpc: { grpcPort: {{.P.Matching}}, membershipPort: {{.P.MatchingMembership}}, bindOnIP: 127.0.0.1 }
  worker:
    rpc: { grpcPort: {{.P.Worker}}, membershipPort: {{.P.WorkerMembership}}, bindOnIP: 127.0.0.1 }
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: "{{.Public}}"
dcRedirectionPolicy:
  policy: noop
publicClient:
  hostPort: "127.0.0.1:{{.P.Frontend}}"
dynamicConfigClient:
  filepath: "{{.Dynamic}}"
  pollInterval: 10s
`))

// dynamicConfig is the nodes' dynamic configuration: Temporal's defaults,
// which is what an operator starts with.
const dynamicConfig = `limit.maxIDLength:
  - value: 255
`

// newTemporalNode writes a node's configuration; start it with start().
// public is the address clients use (the load balancer in front of every
// frontend).
func newTemporalNode(t testing.TB, dir, name string, tools temporalTools, pg *postgres, public string) *temporalNode {
	t.Helper()
	p := nodePorts{
		Frontend: freePort(t), FrontendMembership: freeMembershipPort(t), FrontendHTTP: freePort(t),
		History: freePort(t), HistoryMembership: freeMembershipPort(t),
		Matching: freePort(t), MatchingMembership: freeMembershipPort(t),
		Worker: freePort(t), WorkerMembership: freeMembershipPort(t),
	}
	dynamic := filepath.Join(dir, "dynamicconfig.yaml")
	if err := os.WriteFile(dynamic, []byte(dynamicConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, name+".yaml")
	f, err := os.Create(cfg)
	if err != nil {
		t.Fatal(err)
	}
	err = nodeConfig.Execute(f, map[string]any{"PG": pg.port, "P": p, "Public": public, "Dynamic": dynamic})
	if err := errors.Join(err, f.Close()); err != nil {
		t.Fatal(err)
	}
	args := []string{"--config-file", cfg, "--allow-no-auth", "start"}
	return &temporalNode{proc: newProc(t, dir, name, tools.server, args, nil), frontend: fmt.Sprintf("127.0.0.1:%d", p.Frontend)}
}

// waitServing waits until the node's frontend answers a health check.
func (n *temporalNode) waitServing(t testing.TB, timeout time.Duration) {
	t.Helper()
	c, err := client.NewLazyClient(client.Options{HostPort: n.frontend, Logger: quiet{}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	err = waitFor(timeout, n.name+" serving", func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_, err := c.CheckHealth(ctx, &client.CheckHealthRequest{})
		return err
	})
	if err != nil {
		t.Fatalf("%v\n%s", err, tail(n.log, 30))
	}
}

// registerNamespace creates the namespace hookflow runs in, as an operator
// does once (`temporal operator namespace create`), with the retention that
// bounds how long a provider's retry is recognised as a duplicate.
func registerNamespace(t testing.TB, addr, namespace string, retention time.Duration) {
	t.Helper()
	nc, err := client.NewNamespaceClient(client.Options{HostPort: addr, Logger: quiet{}})
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	err = waitFor(60*time.Second, "register namespace "+namespace, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err := nc.Register(ctx, &workflowservice.RegisterNamespaceRequest{
			Namespace:                        namespace,
			WorkflowExecutionRetentionPeriod: durationpb.New(retention),
		})
		var exists *serviceerror.NamespaceAlreadyExists
		if errors.As(err, &exists) {
			return nil
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// Every node learns of a new namespace from its registry refresh.
	err = waitFor(60*time.Second, "namespace "+namespace+" usable", func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, err := nc.Describe(ctx, namespace)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// quiet drops the SDK's log lines; the test reports what matters itself.
type quiet struct{}

func (quiet) Debug(string, ...any) {}
func (quiet) Info(string, ...any)  {}
func (quiet) Warn(string, ...any)  {}
func (quiet) Error(string, ...any) {}

// startTemporal starts Temporal on a private PostgreSQL: its schema, n nodes
// behind one balancer (the address clients dial), and the namespace
// registered. It returns the balancer, the nodes and the tools' version.
func startTemporal(t testing.TB, root, dir string, n int) (*balancer, []*temporalNode, string) {
	t.Helper()
	pg := startPostgres(t, dir)
	tools := buildTemporal(t, root)
	createSchema(t, tools, pg)
	lb := newBalancer(t)
	var nodes []*temporalNode
	var frontends []string
	for i := range n {
		node := newTemporalNode(t, dir, fmt.Sprintf("temporal-%d", i+1), tools, pg, lb.addr())
		nodes = append(nodes, node)
		frontends = append(frontends, node.frontend)
	}
	lb.setBackends(frontends...)
	for _, node := range nodes {
		node.start()
		node.waitServing(t, 90*time.Second)
	}
	registerNamespace(t, lb.addr(), namespace, 72*time.Hour)
	return lb, nodes, tools.version
}
