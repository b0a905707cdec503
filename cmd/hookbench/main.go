// Command hookbench is hookflow's load tool: it signs events the way a
// provider does, sends them open- or closed-loop to a hookflow on this
// machine, receives the outbound calls they cause, and reports throughput,
// end-to-end latency, lost events, duplicated effects and the target's CPU
// and memory, beside two baselines measured in the same run. It is a
// separate binary so that it does not carry the embedded Temporal server.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signalNotify(context.Background())
	defer stop()
	if err := run(ctx, os.Args[1:], os.LookupEnv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "hookbench:", err)
		os.Exit(1)
	}
}

// env is what the commands get from their caller: tests run them in-process.
type env struct {
	getenv func(string) (string, bool)
	stdout io.Writer
	stderr io.Writer
}

func run(ctx context.Context, args []string, getenv func(string) (string, bool), stdout, stderr io.Writer) error {
	e := env{getenv: getenv, stdout: stdout, stderr: stderr}
	root := loadCommand(e)
	root.AddCommand(historyCommand(e), forwarderCommand(e), temporalBaselineCommand(e))
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	return root.ExecuteContext(ctx)
}

// signalNotify ends ctx on Ctrl-C or SIGTERM (how hookbench stops its children).
func signalNotify(ctx context.Context) (context.Context, context.CancelFunc) {
	return signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
}
