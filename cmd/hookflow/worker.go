package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/hookflow/hookflow/internal/dashboard"
	"github.com/hookflow/hookflow/internal/project"
	"github.com/hookflow/hookflow/internal/telemetry"
)

func runWorker(ctx context.Context, e env, args []string) error {
	fs := newFlags(e, "worker", "--temporal HOST:PORT [flags]")
	dir := fs.String("project", ".", "project directory (holds hookflow.yaml)")
	tf := addTemporalFlags(fs, "")
	logFormat := fs.String("log-format", "json", "json or text")
	metricsAddr := fs.String("metrics", "127.0.0.1:9465", "address for Prometheus /metrics (empty disables)")
	pprofAddr := fs.String("pprof", "", pprofFlagHelp)
	stopTimeout := fs.Duration("stop-timeout", defaultStopTimeout, "on SIGTERM, how long in-flight steps may run to completion before they are cancelled (and retried on another worker)")
	pollersFlag := fs.String("pollers", "auto", pollersFlagHelp)
	if err := fs.Parse(args); err != nil {
		return err
	}
	pollers, err := pollerBehavior(*pollersFlag)
	if err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	topts, err := tf.options(e)
	if err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	logger := newLogger(e.stderr, *logFormat, slog.LevelInfo)
	p, err := loadProject(e, *dir)
	if err != nil {
		return err
	}
	if err := refuseDefaultSecrets(p, "worker"); err != nil {
		return err
	}
	metrics := telemetry.New()
	c, err := dialTemporal(topts, logger, metrics, p.Codec)
	if err != nil {
		return err
	}
	defer c.Close()
	// The worker's dashboard (beside /metrics) shows the calls it made.
	dash, err := startDashboard(ctx, e, dashboard.RoleWorker, p, metrics, c, topts.Namespace, "", logger)
	if err != nil {
		return err
	}
	routes := append(workerProbes(readiness(c, topts.Namespace)), route{"/dashboard", dash}, route{"/dashboard/", dash})
	if err := serveMetrics(ctx, *metricsAddr, metrics, logger, routes...); err != nil {
		return err
	}
	if err := servePprof(ctx, *pprofAddr, logger); err != nil {
		return err
	}
	acts := activitiesFor(p, metrics, c)
	workers := newWorkerPool(c, acts, *stopTimeout, pollers, logger)
	go watchProject(ctx, e, p, acts, workers, nil, logger, func(p *project.Project) { dash.SetProject(dashboardProject(p)) })
	go startHealthMonitor(ctx, c, p, logger)
	logger.Info("worker starting", "temporal", topts.HostPort, "namespace", topts.Namespace, "rules", p.Rules.Rules(), "rules_version", p.Rules.Version(), "stop_timeout", stopTimeout.String())
	if err := workers.start(p.Integrations.Limited()); err != nil {
		workers.stop()
		return fmt.Errorf("worker: %w", err)
	}
	<-ctx.Done()
	// SIGTERM: stop polling at once, let in-flight steps finish for up to
	// the stop timeout (longer ones are cancelled and retried elsewhere),
	// then exit.
	logger.Info("worker stopping: finishing in-flight steps", "stop_timeout", stopTimeout.String())
	workers.stop()
	logger.Info("worker stopped")
	return nil
}
