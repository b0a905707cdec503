package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"go.temporal.io/api/serviceerror"

	"github.com/hookflow/hookflow/internal/project"
	"github.com/hookflow/hookflow/rules"
	"github.com/hookflow/hookflow/workflows"
)

// The command line is a cobra tree built from commands(). Each command keeps
// the shape it had with the standard flag package: its run function makes
// its flag set with newFlags, defines its flags, and parses its arguments.
// To learn a command's flags (for --help, completions and flag errors) the
// tree calls the run function once with env.define set: newFlags hands the
// flag set over and Parse stops the function with errDefined before it does
// anything. When the command runs, cobra has already checked the arguments,
// and the run function parses the same arguments into its own variables.

// flags is a command's flag set; see above for why Parse can stop early.
type flags struct {
	*pflag.FlagSet
	defining bool
	stderr   io.Writer
}

// errDefined ends a run function's define pass at Parse.
var errDefined = errors.New("flags defined")

// Parse parses the arguments (flags anywhere, -- ends them).
func (f *flags) Parse(args []string) error {
	if f.defining {
		return errDefined
	}
	if err := f.FlagSet.Parse(args); err != nil {
		return err
	}
	if p := f.Lookup("project"); p != nil && !p.Changed {
		dir, err := defaultProject()
		if err != nil {
			return err
		}
		if dir != "." {
			fmt.Fprintf(f.stderr, "hookflow: project %s (no %s in the current directory)\n", dir, project.FileName)
		}
		return p.Value.Set(dir)
	}
	return nil
}

// sampleProject is where the repository's quickstart finds its project.
const sampleProject = "samples/shop"

// projectUsage is the --project flag's help, one rule for every command.
var projectUsage = "project directory (holds " + project.FileName + "); default: the current directory, or " + sampleProject + " when the current directory has none (the hookflow repository)"

// defaultProject is the project of a command run without --project.
func defaultProject() (string, error) {
	if _, err := os.Stat(project.FileName); err == nil {
		return ".", nil
	}
	if _, err := os.Stat(filepath.Join(sampleProject, project.FileName)); err == nil {
		return sampleProject, nil
	}
	wd, _ := os.Getwd()
	return "", fmt.Errorf("no %s in %s (nor in %s): pass --project DIR, or start a project with `hookflow init`", project.FileName, wd, sampleProject)
}

// newFlags is the flag set of the command name. synopsis is what follows
// "hookflow NAME" in the usage line: the positional arguments, then [flags].
func newFlags(e env, name, synopsis string) *flags {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SortFlags = false
	fs.SetOutput(io.Discard) // cobra reports flag errors before the run function parses
	f := &flags{FlagSet: fs, stderr: e.stderr}
	fs.Usage = func() {
		if e.usage != nil {
			e.usage()
		}
	}
	if e.define != nil {
		f.defining = true
		e.define(f, synopsis)
	}
	return f
}

// newRoot builds the command tree for one invocation with args.
func newRoot(ctx context.Context, e env, args []string) (*cobra.Command, error) {
	root := &cobra.Command{
		Use:   "hookflow",
		Short: "hookflow — webhook-triggered workflows on Temporal",
		Long: "hookflow — webhook-triggered workflows on Temporal.\n\n" +
			"Start with `hookflow dev` (embedded Temporal, Web UI, worker and webhook server),\n" +
			"then `hookflow send` an event. Flags go before or after the arguments.",
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return fmt.Errorf("%w (see '%s --help')", err, c.CommandPath())
	})
	for _, c := range commands() {
		var fs *flags
		var synopsis string
		define := env{getenv: e.getenv, stdout: io.Discard, stderr: io.Discard,
			define: func(f *flags, s string) { fs, synopsis = f, s }}
		if err := c.run(ctx, define, nil); !errors.Is(err, errDefined) || fs == nil {
			return nil, fmt.Errorf("command %s: its run function must start with newFlags and Parse (got %v)", c.name, err)
		}
		run := c.run
		cmd := &cobra.Command{
			Use:     strings.TrimSpace(c.name + " " + synopsis),
			Short:   c.summary,
			Example: indent(c.example),
			// The run function checks its positional arguments itself.
			Args: cobra.ArbitraryArgs,
		}
		if c.args != nil {
			cmd.ValidArgsFunction = c.args(e)
		}
		cmd.RunE = func(cmd *cobra.Command, _ []string) error {
			ce := e
			ce.usage = func() { fmt.Fprint(e.stderr, cmd.UsageString()) }
			return explain(cmd, run(cmd.Context(), ce, commandArgs(args, cmd)))
		}
		cmd.Flags().SortFlags = false
		if p := fs.Lookup("project"); p != nil {
			p.DefValue, p.Usage = "", projectUsage
		}
		cmd.Flags().AddFlagSet(fs.FlagSet)
		completeFlags(cmd)
		root.AddCommand(cmd)
	}
	root.SetArgs(args)
	return root, nil
}

// commandArgs is args without the command's own name: what its flag set parses.
func commandArgs(args []string, cmd *cobra.Command) []string {
	for i, a := range args {
		if a == cmd.Name() || slices.Contains(cmd.Aliases, a) {
			return append(slices.Clip(args[:i]), args[i+1:]...)
		}
	}
	return args
}

func indent(s string) string {
	if s == "" {
		return ""
	}
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}

// completeTriggers completes send's TRIGGER from the project's triggers,
// then FILE from the file names.
func completeTriggers(e env) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveDefault
		}
		dir, _ := cmd.Flags().GetString("project")
		p, err := project.Load(dir, e.getenv)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return p.Triggers.Names(), cobra.ShellCompDirectiveNoFileComp
	}
}

// noCompletion is for arguments no shell can guess, such as workflow ids.
func noCompletion(env) cobra.CompletionFunc {
	return cobra.NoFileCompletions
}

// flagValues are the values shells offer for the flags that take one of a few.
var flagValues = map[string][]string{
	"rules":      {"original", "current"},
	"status":     {workflows.StatusRunning, workflows.StatusCompleted, workflows.StatusFailed, workflows.StatusCanceled, workflows.StatusNoMatch},
	"log-format": {"json", "text"},
	"log-level":  {"debug", "info", "warn", "error"},
	"procs":      {"auto", "all"},
}

// completeFlags registers the completions of cmd's flags.
func completeFlags(cmd *cobra.Command) {
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		switch {
		case f.Name == "project":
			_ = cmd.MarkFlagDirname(f.Name)
		case flagValues[f.Name] != nil:
			_ = cmd.RegisterFlagCompletionFunc(f.Name, cobra.FixedCompletions(flagValues[f.Name], cobra.ShellCompDirectiveNoFileComp))
		case f.Value.Type() != "string":
			_ = cmd.RegisterFlagCompletionFunc(f.Name, cobra.NoFileCompletions)
		}
	})
}

// Duration defines a duration flag that also takes days (3d, 1d12h), as
// rule files do.
func (f *flags) Duration(name string, value time.Duration, usage string) *time.Duration {
	p := new(time.Duration)
	*p = value
	f.Var((*daysDuration)(p), name, usage)
	return p
}

// daysDuration is a pflag.Value: time.ParseDuration plus d for 24 hours.
type daysDuration time.Duration

func (d *daysDuration) String() string { return time.Duration(*d).String() }
func (d *daysDuration) Type() string   { return "duration" }
func (d *daysDuration) Set(s string) error {
	v, err := rules.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q is not a duration; write e.g. 90s, 30m, 12h or 3d", s)
	}
	*d = daysDuration(v)
	return nil
}

// explain rewrites errors whose cause a person cannot act on as they are.
func explain(cmd *cobra.Command, err error) error {
	var unavailable *serviceerror.Unavailable
	if errors.As(err, &unavailable) {
		addr, _ := cmd.Flags().GetString("temporal")
		if addr == "" {
			addr = "(no --temporal given)"
		}
		cause := unavailable.Error()
		if i := strings.LastIndex(cause, ": "); i >= 0 {
			cause = strings.Trim(cause[i+2:], `"`)
		}
		return fmt.Errorf("%s: Temporal at %s does not answer (%s): start `hookflow dev`, or pass --temporal HOST:PORT of your cluster", cmd.Name(), addr, cause)
	}
	return err
}

// schemaArgs completes `hookflow schema`'s one argument.
func schemaArgs(env) cobra.CompletionFunc {
	return cobra.FixedCompletions([]string{"hookflow", "rule", "rule-test"}, cobra.ShellCompDirectiveNoFileComp)
}
