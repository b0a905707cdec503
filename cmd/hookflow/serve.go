package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/hookflow/hookflow/internal/codec"
	"github.com/hookflow/hookflow/internal/dashboard"
	"github.com/hookflow/hookflow/internal/project"
	"github.com/hookflow/hookflow/internal/telemetry"
	"github.com/hookflow/hookflow/triggers"
)

func runServe(ctx context.Context, e env, args []string) error {
	fs := newFlags(e, "serve", "--temporal HOST:PORT [flags]")
	dir := fs.String("project", ".", "project directory (holds hookflow.yaml)")
	tf := addTemporalFlags(fs, "")
	listenAddr := fs.String("listen", "127.0.0.1:8080", "webhook server address")
	uiBase := fs.String("ui-url", "", "Temporal Web UI base URL, for run links in answers")
	logFormat := fs.String("log-format", "json", "json or text")
	metricsAddr := fs.String("metrics", "127.0.0.1:9464", "address for Prometheus /metrics (empty disables)")
	pprofAddr := fs.String("pprof", "", pprofFlagHelp)
	drainDelay := fs.Duration("drain-delay", 5*time.Second, "on SIGTERM, how long /readyz answers 503 while requests are still served, before the listener closes (let the load balancer notice)")
	shutdownTimeout := fs.Duration("shutdown-timeout", 30*time.Second, "on SIGTERM, how long requests in flight may take to finish once the listener is closed")
	startTimeout := fs.Duration("start-timeout", 5*time.Second, "how long a webhook waits for Temporal to accept its start, retries included, before the answer is 503")
	if err := fs.Parse(args); err != nil {
		return err
	}
	topts, err := tf.options(e)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	logger := newLogger(e.stderr, *logFormat, slog.LevelInfo)
	p, err := loadProject(e, *dir)
	if err != nil {
		return err
	}
	if err := refuseDefaultSecrets(p, "serve"); err != nil {
		return err
	}
	metrics := telemetry.New()
	if err := serveMetrics(ctx, *metricsAddr, metrics, logger); err != nil {
		return err
	}
	if err := servePprof(ctx, *pprofAddr, logger); err != nil {
		return err
	}
	c, err := dialTemporal(topts, logger, metrics, p.Codec)
	if err != nil {
		return err
	}
	defer c.Close()
	l, err := listen(*listenAddr)
	if err != nil {
		return err
	}
	defer l.Close()
	logger.Info("serving webhooks", "addr", l.Addr().String(), "temporal", topts.HostPort, "namespace", topts.Namespace, "triggers", p.Triggers.Names())
	// The door plans each event with the rules it loaded, so runs start
	// with their plan; the planner reloads with the project.
	planner := activitiesFor(p, nil, nil)
	var draining atomic.Bool
	hooks := triggers.NewServer(triggers.Deps{
		Triggers:  p.Triggers,
		Starter:   &triggers.TemporalStarter{Client: c, Namespace: topts.Namespace, Timeout: *startTimeout},
		Logger:    logger,
		Ready:     unlessDraining(&draining, readiness(c, topts.Namespace)),
		UIBase:    *uiBase,
		Namespace: topts.Namespace,
		Metrics:   metrics,
		Planner:   planner,
		Ledger:    &triggers.TemporalLedger{Client: c, Namespace: topts.Namespace, Timeout: *startTimeout},
	})
	dash, err := startDashboard(ctx, e, dashboard.RoleServe, p, metrics, c, topts.Namespace, *uiBase, logger)
	if err != nil {
		return err
	}
	go watchProject(ctx, e, p, planner, nil, hooks, logger, func(p *project.Project) { dash.SetProject(dashboardProject(p)) })
	mux := publicMux(p, hooks, c, logger, false)
	mountDashboard(mux, dash)
	if p.Codec != nil {
		mux.Handle("/codec/", codec.Handler(p.Codec, p.CodecToken, p.CodecOrigins))
	}
	err = serveDraining(ctx, l, mux, drain{delay: *drainDelay, timeout: *shutdownTimeout, begin: func() { draining.Store(true) }, logger: logger})
	logger.Info("serve stopped")
	return err
}

// errDraining is /readyz's answer once the process is shutting down.
var errDraining = errors.New("shutting down: finishing requests in flight, send new ones elsewhere")

// unlessDraining is ready, except while the process drains.
func unlessDraining(draining *atomic.Bool, ready func(context.Context) error) func(context.Context) error {
	return func(ctx context.Context) error {
		if draining.Load() {
			return errDraining
		}
		return ready(ctx)
	}
}
