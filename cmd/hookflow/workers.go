package main

import (
	"log/slog"
	"sync"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/hookflow/hookflow/activities"
	"github.com/hookflow/hookflow/integrations"
)

// defaultStopTimeout is how long a stopping worker lets in-flight steps
// finish: a vendor call is bounded by its integration's timeout (30 s by
// default), so most finish; a step still running after it is cancelled and
// retried elsewhere with the same Idempotency-Key.
const defaultStopTimeout = 30 * time.Second

// workerPool is a process's Temporal workers: the one on hookflow's task
// queue, and one per rate-limited integration on the integration's own
// queue, where Temporal enforces the rate across every worker. A hot reload
// that adds or changes a rate_limit starts (or restarts) that integration's
// worker; steps must never be routed to a queue nobody polls.
type workerPool struct {
	c           client.Client
	acts        *activities.Activities
	stopTimeout time.Duration
	pollers     worker.PollerBehavior // nil: the SDK's default
	logger      *slog.Logger

	mu      sync.Mutex
	main    worker.Worker
	limited map[string]limitedWorker
	retired sync.WaitGroup // replaced workers finishing their steps
}

type limitedWorker struct {
	limits integrations.Limits
	w      worker.Worker
}

func newWorkerPool(c client.Client, acts *activities.Activities, stopTimeout time.Duration, pollers worker.PollerBehavior, logger *slog.Logger) *workerPool {
	return &workerPool{c: c, acts: acts, stopTimeout: stopTimeout, pollers: pollers, logger: logger, limited: map[string]limitedWorker{}}
}

// start starts the main worker and the limited integrations' workers.
func (p *workerPool) start(limited map[string]integrations.Limits) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.main = newWorker(p.c, p.acts, worker.Options{
		WorkerStopTimeout:          p.stopTimeout,
		WorkflowTaskPollerBehavior: p.pollers,
		ActivityTaskPollerBehavior: p.pollers,
	})
	if err := p.main.Start(); err != nil {
		return err
	}
	for name, l := range limited {
		w := p.limitedWorker(name, l)
		if err := w.Start(); err != nil {
			return err
		}
		p.limited[name] = limitedWorker{limits: l, w: w}
	}
	return nil
}

func (p *workerPool) limitedWorker(name string, l integrations.Limits) worker.Worker {
	w := worker.New(p.c, activities.TaskQueue+"-"+name, worker.Options{
		TaskQueueActivitiesPerSecond:       l.PerSecond,
		MaxConcurrentActivityExecutionSize: l.Concurrency,
		WorkerStopTimeout:                  p.stopTimeout,
		ActivityTaskPollerBehavior:         p.pollers,
	})
	p.acts.RegisterCalls(w)
	return w
}

// apply follows a reloaded project's rate limits: a new limited integration
// gets its worker, a changed limit a new worker (the old one finishes its
// steps and stops). A limit that was removed keeps its worker until the
// process restarts: runs planned before the reload still send their steps
// to that queue.
func (p *workerPool) apply(limited map[string]integrations.Limits) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for name, l := range limited {
		old, ok := p.limited[name]
		if ok && old.limits == l {
			continue
		}
		w := p.limitedWorker(name, l)
		if err := w.Start(); err != nil {
			p.logger.Error("start the worker of a rate-limited integration after a reload; its steps wait until a restart", "integration", name, "error", err)
			continue
		}
		p.limited[name] = limitedWorker{limits: l, w: w}
		if ok {
			p.retired.Add(1)
			go func() { defer p.retired.Done(); old.w.Stop() }()
		}
		p.logger.Info("rate limit applied", "integration", name, "per_second", l.PerSecond, "concurrency", l.Concurrency)
	}
}

// stop stops every worker at once; each lets its in-flight steps finish
// for up to the stop timeout.
func (p *workerPool) stop() {
	p.mu.Lock()
	ws := []worker.Worker{}
	if p.main != nil {
		ws = append(ws, p.main)
	}
	for _, lw := range p.limited {
		ws = append(ws, lw.w)
	}
	p.mu.Unlock()
	var wg sync.WaitGroup
	for _, w := range ws {
		wg.Add(1)
		go func() { defer wg.Done(); w.Stop() }()
	}
	wg.Wait()
	p.retired.Wait()
}
