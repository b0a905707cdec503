//go:build !slim

package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/hookflow/hookflow/internal/codec"
	"github.com/hookflow/hookflow/internal/dashboard"
	"github.com/hookflow/hookflow/internal/devdb"
	"github.com/hookflow/hookflow/internal/devserver"
	"github.com/hookflow/hookflow/internal/inspector"
	"github.com/hookflow/hookflow/internal/project"
	"github.com/hookflow/hookflow/internal/telemetry"
	"github.com/hookflow/hookflow/triggers"
	"github.com/hookflow/hookflow/workflows"
)

// devCommands is `dev`, which embeds the Temporal server and Web UI; the
// slim build (-tags slim) leaves it, and their ~1,500 packages, out.
func devCommands() []command {
	return []command{{name: "dev", summary: "run everything in one process: embedded Temporal, Web UI, worker, webhook server", run: runDev,
		example: "hookflow dev\nhookflow dev --project ./my-project --ephemeral"}}
}

// devStopTimeout is short: on Ctrl-C a developer wants the prompt back; a
// step cut short runs again at the next start.
const devStopTimeout = 5 * time.Second

func runDev(ctx context.Context, e env, args []string) error {
	fs := newFlags(e, "dev", "[flags]")
	dir := fs.String("project", ".", "project directory (holds hookflow.yaml)")
	addr := fs.String("listen", "127.0.0.1:8080", "webhook server address")
	temporalPort := fs.Int("temporal-port", 7233, "embedded Temporal frontend port (0 picks a free one)")
	uiPort := fs.Int("ui-port", 8233, "Temporal Web UI port (0 picks a free one, -1 disables the UI)")
	db := fs.String("db", ".hookflow/dev.db", "SQLite file that keeps runs across restarts")
	ephemeral := fs.Bool("ephemeral", false, "keep everything in memory; nothing survives the process")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	pprofAddr := fs.String("pprof", "", pprofFlagHelp)
	pollersFlag := fs.String("pollers", "auto", pollersFlagHelp)
	procsFlag := fs.String("procs", "", procsFlagHelp)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("dev takes no arguments, got %q", strings.Join(fs.Args(), " "))
	}
	pollers, err := pollerBehavior(*pollersFlag)
	if err != nil {
		return fmt.Errorf("dev: %w", err)
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	logger := newLogger(e.stderr, "text", level)
	// Deferred first, so it runs last: after the server and worker stopped.
	defer func() {
		if ctx.Err() != nil {
			fmt.Fprintln(e.stdout, "hookflow dev: stopped")
		}
	}()
	stopping := new(atomic.Bool)
	context.AfterFunc(ctx, func() { stopping.Store(true) })
	quiet := newQuietLogger(logger, stopping) // the embedded server's and the SDK's logs

	p, err := loadProject(e, *dir)
	if err != nil {
		return err
	}
	governed, err := procsGoverned(*procsFlag, defaultProcs, e.getenv)
	if err != nil {
		return fmt.Errorf("dev: %w", err)
	}
	if err := servePprof(ctx, *pprofAddr, logger); err != nil {
		return err
	}
	l, err := listen(*addr)
	if err != nil {
		return err
	}
	defer l.Close()
	if err := refuseDefaultSecretsOffLoopback(p, l); err != nil {
		return err
	}

	dbFile := *db
	if *ephemeral {
		dbFile = ""
	}
	fmt.Fprintln(e.stdout, "hookflow dev: starting the embedded Temporal server…")
	codecEndpoint := ""
	if p.Codec != nil {
		codecEndpoint = "http://" + l.Addr().String() + "/codec"
	}
	srv, err := devserver.Start(ctx, devserver.Options{
		CodecEndpoint:    codecEndpoint,
		Port:             *temporalPort,
		UIPort:           *uiPort,
		DBFile:           dbFile,
		SearchAttributes: allSearchAttributes(p),
		// A handful of values each, none rare: listing by them scans instead.
		Unindexed: []string{workflows.AttrTrigger.GetName(), workflows.AttrEventType.GetName(), workflows.AttrRulesVersion.GetName()},
		// Most runs end completed (or, for some triggers, no-match): the
		// status's index holds the others, which operators look for.
		RareValues: map[string][]string{workflows.AttrStatus.GetName(): {workflows.StatusRunning, workflows.StatusFailed, workflows.StatusCanceled}},
		Logger:     quiet,
	})
	if err != nil {
		return err
	}
	defer srv.Stop()

	metrics := telemetry.New()
	if governed {
		procsCtx, stopProcs := context.WithCancel(ctx) // the governor ends with dev
		defer stopProcs()
		startGovernor(procsCtx, metrics)
	}
	c, err := dialTemporal(devClientOptions(srv.Addr(), srv.Namespace()), quiet, metrics, p.Codec)
	if err != nil {
		return err
	}
	defer c.Close()
	acts := activitiesFor(p, metrics, c)
	workers := newWorkerPool(c, acts, devStopTimeout, pollers, logger)
	defer workers.stop()
	if err := workers.start(p.Integrations.Limited()); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}

	uiBase := ""
	if srv.UIAddr() != "" {
		uiBase = "http://" + srv.UIAddr()
	}
	hooks := triggers.NewServer(triggers.Deps{
		Triggers:  p.Triggers,
		Starter:   &triggers.TemporalStarter{Client: c, Eager: true, Namespace: srv.Namespace()},
		Logger:    logger,
		Ready:     readiness(c, srv.Namespace()),
		UIBase:    uiBase,
		Namespace: srv.Namespace(),
		Metrics:   metrics,
		Planner:   acts,
		// On your own machine a typo'd trigger name should say what exists.
		ListTriggers: true,
		Ledger:       &triggers.TemporalLedger{Client: c, Namespace: srv.Namespace()},
	})
	dash, err := startDashboard(ctx, e, dashboard.RoleDev, p, metrics, c, srv.Namespace(), uiBase, logger)
	if err != nil {
		return err
	}
	ins := inspector.New(1000, p.Inspector)
	go watchProject(ctx, e, p, acts, workers, hooks, logger,
		func(p *project.Project) { dash.SetProject(dashboardProject(p)) },
		func(p *project.Project) { ins.SetResponses(p.Inspector) })
	go startHealthMonitor(ctx, c, p, logger)
	mux := publicMux(p, hooks, c, logger, true)
	mux.Handle("/metrics", metrics.Handler())
	mountDashboard(mux, dash)
	if p.Codec != nil {
		token := p.CodecToken
		if token == "" {
			token = randomID() // dev only: loopback callers get it injected
		}
		origins := append([]string{"http://" + srv.UIAddr()}, p.CodecOrigins...)
		mux.Handle("/codec/", devCodec(codec.Handler(p.Codec, token, origins), token, p.CodecToken == ""))
	}
	mux.Handle("/inspect", devInspector(ins, p.AdminToken))
	mux.Handle("/inspect/", devInspector(ins, p.AdminToken))

	base := "http://" + l.Addr().String()
	storage := "in memory (--ephemeral)"
	if dbFile != "" {
		storage = filepath.Clean(dbFile) + " (run list " + filepath.Clean(devdb.VisibilityFile(dbFile)) + ")"
	}
	fmt.Fprintf(e.stdout, `hookflow dev is running (Ctrl-C stops it)
  project     %s (%d trigger(s), %d rule(s), rules version %s)
  webhooks    %s/hooks/{trigger}   triggers: %s
  dashboard   %s/dashboard/
  inspector   %s/inspect
  metrics     %s/metrics
  temporal    %s   namespace %s, storage %s
  web UI      %s
Try:  %s
`, *dir, len(p.Triggers.Names()), len(p.Rules.Rules()), p.Rules.Version(),
		base, strings.Join(p.Triggers.Names(), ", "), base, base, base, srv.Addr(), srv.Namespace(), storage,
		orNone(uiBase), tryCommand(*dir, base))
	return serveHTTP(ctx, l, mux)
}

func orNone(s string) string {
	if s == "" {
		return "(disabled)"
	}
	return s
}

// tryCommand suggests a first `send` for the project.
func tryCommand(dir, base string) string {
	events := filepath.Join(dir, "events")
	if _, err := os.Stat(events); err != nil {
		events = "."
	}
	return fmt.Sprintf("go run ./cmd/hookflow send --project %s --url %s TRIGGER %s/EVENT.json", dir, base, events)
}

// devClientOptions is dev's connection to its own embedded server:
// TEMPORAL_ADDRESS and profiles, meant for a cluster, do not apply. Its gRPC
// calls are not compressed: the SDK gzips every request by default, which on
// a connection that never leaves the machine only costs CPU (4-5% of dev's
// profile under load: the client compresses, the server decompresses and
// answers in kind).
func devClientOptions(addr, namespace string) client.Options {
	return client.Options{
		HostPort:          addr,
		Namespace:         namespace,
		ConnectionOptions: client.ConnectionOptions{GrpcCompression: &client.GrpcCompressionNone{}},
	}
}
