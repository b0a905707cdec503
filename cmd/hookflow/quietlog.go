package main

import (
	"context"
	"log/slog"
	"strings"
	"sync/atomic"
)

// The embedded Temporal server logs for its operators, not for someone
// running `hookflow dev`: browsing the Web UI warns "GetHistory page size is
// larger than threshold" on every page, and on Ctrl-C its own pollers and
// dialers warn about the connections being closed on purpose. quietHandler
// keeps what a user needs: it drops those, and everything below error once
// the process is stopping.

// serverNoise are warnings of the embedded server that say nothing to a user.
var serverNoise = []string{
	"GetHistory page size is larger than threshold",
}

type quietHandler struct {
	next     slog.Handler
	stopping *atomic.Bool
}

// newQuietLogger wraps l for the embedded server; stopping turns it to errors only.
func newQuietLogger(l *slog.Logger, stopping *atomic.Bool) *slog.Logger {
	return slog.New(quietHandler{next: l.Handler(), stopping: stopping})
}

func (h quietHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

func (h quietHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level < slog.LevelError && h.stopping.Load() {
		return nil
	}
	if r.Level == slog.LevelWarn {
		for _, n := range serverNoise {
			if strings.Contains(r.Message, n) {
				return nil
			}
		}
	}
	return h.next.Handle(ctx, r)
}

func (h quietHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return quietHandler{next: h.next.WithAttrs(attrs), stopping: h.stopping}
}

func (h quietHandler) WithGroup(name string) slog.Handler {
	return quietHandler{next: h.next.WithGroup(name), stopping: h.stopping}
}
