package main

import (
	"context"

	"fmt"
	"github.com/hookflow/hookflow/internal/telemetry"
	"log/slog"
)

func runWorker(ctx context.Context, e env, args []string) error {
	fs := newFlags(e, "worker", "--temporal HOST:PORT [flags]")
	dir := fs.String("project", ".", "project directory (holds hookflow.yaml)")
	tf := addTemporalFlags(fs, "")
	logFormat := fs.String("log-format", "json", "json or text")
	metricsAddr := fs.String("metrics", "127.0.0.1:9465", "address for Prometheus /metrics (empty disables)")
	pprofAddr := fs.String("pprof", "", pprofFlagHelp)
	if err := fs.Parse(args); err != nil {
		return err
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
	metrics := telemetry.New()
	c, err := dialTemporal(topts, logger, metrics, p.Codec)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := serveMetrics(ctx, *metricsAddr, metrics, logger, workerProbes(readiness(c, topts.Namespace))...); err != nil {
		return err
	}
	if err := servePprof(ctx, *pprofAddr, logger); err != nil {
		return err
	}
	acts := activitiesFor(p, metrics, c)
	go watchProject(ctx, e, p, acts, nil, logger)
	go startHealthMonitor(ctx, c, p, logger)
	w := newWorker(c, acts)
	logger.Info("worker starting", "temporal", topts.HostPort, "namespace", topts.Namespace, "rules", p.Rules.Rules(), "rules_version", p.Rules.Version())
	stop := make(chan any)
	go func() {
		<-ctx.Done()
		close(stop)
	}()
	for _, lw := range limitedWorkers(c, acts, p.Integrations.Limited()) {
		if err := lw.Start(); err != nil {
			return fmt.Errorf("worker: %w", err)
		}
		defer lw.Stop()
	}
	if err := w.Run(stop); err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	return nil
}
