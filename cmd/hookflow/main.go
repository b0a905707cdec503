// Command hookflow is the one binary: dev, serve, worker, check, test, send
// and the operator commands. cli.go turns the command table below into a
// cobra command tree (flags anywhere, --help, shell completions).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	if runsDev(os.Args[1:]) && len(devCommands()) > 0 {
		if err := keepSysmonAwake(); err != nil {
			fmt.Fprintln(os.Stderr, sysmonRestartFailed+" (runs on, at more CPU per event):", err)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := runEnv(ctx, env{getenv: os.LookupEnv, environ: os.Environ, stdout: os.Stdout, stderr: os.Stderr}, os.Args[1:])
	if err != nil && !errors.Is(err, errReported) {
		fmt.Fprintln(os.Stderr, "hookflow:", err)
	}
	if err != nil {
		os.Exit(1)
	}
}

// errReported means the command already printed what went wrong.
var errReported = errors.New("reported")

// env is what every command gets from its caller: tests run commands in-process.
type env struct {
	getenv func(string) (string, bool)
	// environ lists the environment (for TEMPORAL_GRPC_META_*); nil lists nothing.
	environ func() []string
	stdout  io.Writer
	stderr  io.Writer

	// usage prints the running command's usage (set by cli.go).
	usage func()
	// define, when set, collects a command's flags instead of running it
	// (see cli.go).
	define func(fs *flags, synopsis string)
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e env, args []string) error
	example string
	// args completes the positional arguments in shells; nil: file names.
	args func(e env) cobra.CompletionFunc
}

func commands() []command {
	return append(devCommands(), []command{
		{name: "serve", summary: "run the webhook server against a Temporal cluster", run: runServe,
			example: "hookflow serve --project . --temporal temporal.internal:7233"},
		{name: "worker", summary: "run the worker against a Temporal cluster", run: runWorker,
			example: "hookflow worker --project . --temporal temporal.internal:7233"},
		{name: "init", summary: "start a new project: one trigger, one rule, its test and editor schemas", run: runInit,
			example: "hookflow init my-project\ncd my-project && hookflow check && hookflow test"},
		{name: "schema", summary: "print the JSON Schema of hookflow.yaml, rule files or rule tests, for editors", run: runSchema,
			example: "hookflow schema rule\nhookflow schema --write .schema", args: schemaArgs},
		{name: "check", summary: "load and compile a project; print every error as file:line:col", run: runCheck,
			example: "hookflow check --project samples/shop"},
		{name: "test", summary: "run the rule tests (*_test.yaml beside the rules) offline", run: runTest,
			example: "hookflow test --project samples/shop --run 'paid order' -v"},
		{name: "send", summary: "sign an event the way a trigger expects and post it", run: runSend, args: completeTriggers,
			example: "hookflow send --project samples/shop shop-orders samples/shop/events/order-paid.json\n" +
				"# FILE is the JSON payload, an envelope {\"headers\": {...}, \"payload\": ...},\n" +
				"# or a .form/.txt file holding a form-encoded body"},
		{name: "cancel", summary: "cancel a running run, e.g. one waiting in wait_for or sleep", run: runCancel,
			example: "hookflow cancel shop-orders/msg_123", args: noCompletion},
		{name: "setup", summary: "register hookflow's and the project's search attributes on a Temporal namespace", run: runSetup,
			example: "hookflow setup --temporal temporal.internal:7233 --project ."},
		{name: "runs", summary: "list runs by status, trigger, rule or time, with links to the Web UI", run: runRuns,
			example: "hookflow runs --status failed --since 1h"},
		{name: "replay", summary: "re-run failed runs; steps that succeeded are not called again", run: runReplay, args: noCompletion,
			example: "hookflow replay shop-orders/msg_123 --dry-run\nhookflow replay --query 'HookTrigger = \"shop-orders\"'"},
		{name: "signal", summary: "deliver a signal to a run waiting in a wait_for step", run: runSignal,
			example: "hookflow signal shop-orders/msg_123 approved approval.json"},
	}...)
}

func run(ctx context.Context, args []string, getenv func(string) (string, bool), stdout, stderr io.Writer) error {
	return runEnv(ctx, env{getenv: getenv, stdout: stdout, stderr: stderr}, args)
}

// runEnv runs the command line args in e: main gives it the whole process
// environment, tests only what they set.
func runEnv(ctx context.Context, e env, args []string) error {
	if runsDev(args) && len(devCommands()) == 0 {
		return errors.New("dev is not in this slim build (built with -tags slim, without the embedded Temporal server and Web UI); use the full build: go run ./cmd/hookflow dev")
	}
	root, err := newRoot(ctx, e, args)
	if err != nil {
		return err
	}
	return root.ExecuteContext(ctx)
}
