package main

import (
	"context"
	"fmt"
	"log/slog"
)

func runWorker(ctx context.Context, e env, args []string) error {
	fs := newFlags(e, "worker", "--project DIR --temporal HOST:PORT [--namespace NS]")
	dir := fs.String("project", ".", "project directory (holds hookflow.yaml)")
	addr := fs.String("temporal", "", "Temporal frontend address, e.g. temporal.internal:7233 (required)")
	namespace := fs.String("namespace", "default", "Temporal namespace")
	logFormat := fs.String("log-format", "json", "json or text")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *addr == "" {
		fs.Usage()
		return fmt.Errorf("worker: --temporal is required")
	}
	logger := newLogger(e.stderr, *logFormat, slog.LevelInfo)
	p, err := loadProject(e, *dir)
	if err != nil {
		return err
	}
	c, err := dialTemporal(*addr, *namespace, logger)
	if err != nil {
		return err
	}
	defer c.Close()
	w := newWorker(c, activitiesFor(p))
	logger.Info("worker starting", "temporal", *addr, "namespace", *namespace, "rules", p.Rules.Rules(), "rules_version", p.Rules.Version())
	stop := make(chan any)
	go func() {
		<-ctx.Done()
		close(stop)
	}()
	if err := w.Run(stop); err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	return nil
}
