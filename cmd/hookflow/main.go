// Command hookflow is the one binary: dev, serve, worker, check and send.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.LookupEnv, os.Stdout, os.Stderr)
	if err != nil && !errors.Is(err, errReported) {
		fmt.Fprintln(os.Stderr, "hookflow:", err)
	}
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		os.Exit(1)
	}
}

// errReported means the command already printed what went wrong.
var errReported = errors.New("reported")

// env is what every command gets from its caller: tests run commands in-process.
type env struct {
	getenv func(string) (string, bool)
	stdout io.Writer
	stderr io.Writer
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e env, args []string) error
}

func commands() []command {
	return []command{
		{"dev", "run everything in one process: embedded Temporal, Web UI, worker, webhook server", runDev},
		{"serve", "run the webhook server against a Temporal cluster", runServe},
		{"worker", "run the worker against a Temporal cluster", runWorker},
		{"check", "load and compile a project; print every error as file:line:col", runCheck},
		{"test", "run the rule tests (*_test.yaml beside the rules) offline", runTest},
		{"send", "sign an event the way a trigger expects and post it", runSend},
		{"cancel", "cancel a running run, e.g. one waiting in wait_for or sleep", runCancel},
		{"setup", "register hookflow's and the project's search attributes on a Temporal namespace", runSetup},
		{"runs", "list runs by status, trigger, rule or time, with links to the Web UI", runRuns},
		{"replay", "re-run failed runs; steps that succeeded are not called again", runReplay},
		{"signal", "deliver a signal to a run waiting in a wait_for step", runSignal},
	}
}

func run(ctx context.Context, args []string, getenv func(string) (string, bool), stdout, stderr io.Writer) error {
	e := env{getenv: getenv, stdout: stdout, stderr: stderr}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		if len(args) == 0 {
			return errReported
		}
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, e, args[1:])
		}
	}
	usage(stderr)
	return fmt.Errorf("unknown command %q", args[0])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "hookflow — webhook-triggered workflows on Temporal\n\nUsage: hookflow COMMAND [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'hookflow COMMAND --help' for a command's flags.")
}

// newFlags is a flag set that prints its usage to e.stderr and returns errors.
func newFlags(e env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: hookflow %s %s\n\nFlags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}
