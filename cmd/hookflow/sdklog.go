package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"go.temporal.io/sdk/temporal"
)

// The Temporal SDK logs failures with their whole message ("Activity
// error." with Error: <what the step's failure said>), and a step's failure
// can quote the vendor's answer or a rendered value: customer data, in
// plain text, even where history encrypts it. So the SDK's log records go
// through sdkLogHandler, which keeps each error's class (its type,
// retryable or not) and drops its text, and drops the attributes that carry
// payloads. The whole message is in the run's history, behind Temporal's
// access control and the project's encryption.

// sdkPayloadKeys are SDK log attributes that can hold a payload.
var sdkPayloadKeys = map[string]bool{"args": true, "input": true, "result": true, "details": true, "payload": true, "payloads": true, "signalinput": true}

type sdkLogHandler struct{ inner slog.Handler }

// sdkLogger is logger for the Temporal SDK: errors by class only.
func sdkLogger(logger *slog.Logger) *slog.Logger {
	return slog.New(sdkLogHandler{logger.Handler()})
}

func (h sdkLogHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.inner.Enabled(ctx, l)
}

func (h sdkLogHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
	r.Attrs(func(a slog.Attr) bool {
		if a, ok := scrubAttr(a); ok {
			out.AddAttrs(a)
		}
		return true
	})
	return h.inner.Handle(ctx, out)
}

func (h sdkLogHandler) WithAttrs(as []slog.Attr) slog.Handler {
	var kept []slog.Attr
	for _, a := range as {
		if a, ok := scrubAttr(a); ok {
			kept = append(kept, a)
		}
	}
	return sdkLogHandler{h.inner.WithAttrs(kept)}
}

func (h sdkLogHandler) WithGroup(name string) slog.Handler {
	return sdkLogHandler{h.inner.WithGroup(name)}
}

// scrubAttr turns an error into its class and drops payload attributes.
func scrubAttr(a slog.Attr) (slog.Attr, bool) {
	if sdkPayloadKeys[strings.ToLower(a.Key)] {
		return a, false
	}
	v := a.Value.Resolve()
	if v.Kind() == slog.KindAny {
		if err, ok := v.Any().(error); ok {
			return slog.String(a.Key, errorClass(err)), true
		}
	}
	if v.Kind() == slog.KindGroup {
		var kept []any
		for _, g := range v.Group() {
			if g, ok := scrubAttr(g); ok {
				kept = append(kept, g)
			}
		}
		return slog.Group(a.Key, kept...), true
	}
	return a, true
}

// errorClass says what kind of failure err is, without its text:
// "ApplicationError HTTP400 (not retried)", "TimeoutError StartToClose".
func errorClass(err error) string {
	var app *temporal.ApplicationError
	var timeout *temporal.TimeoutError
	var canceled *temporal.CanceledError
	var panicErr *temporal.PanicError
	switch {
	case errors.As(err, &app):
		s := "ApplicationError " + app.Type()
		if app.NonRetryable() {
			s += " (not retried)"
		}
		return s + "; the message is in the run's history"
	case errors.As(err, &timeout):
		return "TimeoutError " + timeout.TimeoutType().String()
	case errors.As(err, &canceled):
		return "CanceledError"
	case errors.As(err, &panicErr):
		return "PanicError; the message is in the run's history"
	}
	return fmt.Sprintf("%T; the message is in the run's history", err)
}
