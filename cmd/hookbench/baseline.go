package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"

	"github.com/hookflow/hookflow/internal/bench"
)

// The baselines run as child processes of hookbench (it starts them with
// these hidden commands), so /proc shows their CPU apart from the tool's.

func forwarderCommand(e env) *cobra.Command {
	var listen, receiver string
	var calls int
	cmd := &cobra.Command{
		Use:    "baseline-forwarder",
		Short:  "the bare HTTP forwarder baseline (started by hookbench)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := &bench.Forwarder{Receiver: receiver, Calls: calls, Client: bench.NewClient(512, 30*time.Second)}
			return serveBaseline(cmd.Context(), e, listen, f)
		},
	}
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:0", "address to listen on")
	cmd.Flags().StringVar(&receiver, "receiver", "", "the receiver's base URL")
	cmd.Flags().IntVar(&calls, "calls", 2, "calls per event")
	return cmd
}

func temporalBaselineCommand(e env) *cobra.Command {
	var listen, receiver, hostPort, namespace string
	var calls int
	cmd := &cobra.Command{
		Use:    "baseline-temporal",
		Short:  "the bare Temporal workflow baseline (started by hookbench)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			logger := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
			c, err := client.Dial(client.Options{HostPort: hostPort, Namespace: namespace, Logger: sdklog.NewStructuredLogger(logger)})
			if err != nil {
				return fmt.Errorf("dial temporal at %s: %w", hostPort, err)
			}
			defer c.Close()
			w := worker.New(c, bench.BaselineTaskQueue, worker.Options{})
			bench.RegisterBaseline(w, &bench.BaselineActivities{Client: bench.NewClient(512, 30*time.Second)})
			if err := w.Start(); err != nil {
				return fmt.Errorf("start baseline worker: %w", err)
			}
			defer w.Stop()
			return serveBaseline(cmd.Context(), e, listen, &bench.BaselineFront{Client: c, Receiver: receiver, Calls: calls})
		},
	}
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:0", "address to listen on")
	cmd.Flags().StringVar(&receiver, "receiver", "", "the receiver's base URL")
	cmd.Flags().IntVar(&calls, "calls", 2, "calls per event")
	cmd.Flags().StringVar(&hostPort, "temporal", "", "Temporal frontend host:port")
	cmd.Flags().StringVar(&namespace, "namespace", "default", "Temporal namespace")
	return cmd
}

// serveBaseline serves h until ctx ends, after printing its address.
func serveBaseline(ctx context.Context, e env, listen string, h http.Handler) error {
	l, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	fmt.Fprintf(e.stdout, "listening on %s\n", l.Addr())
	if err := srv.Serve(l); err != nil && err != http.ErrServerClosed {
		return err
	}
	return nil
}
