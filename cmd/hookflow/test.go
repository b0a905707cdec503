package main

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	"github.com/hookflow/hookflow/internal/project"
	"github.com/hookflow/hookflow/internal/ruletest"
)

// runTest runs the project's rule tests offline: no network, no Temporal,
// no secrets read beyond what loading hookflow.yaml needs.
func runTest(_ context.Context, e env, args []string) error {
	fs := newFlags(e, "test", "[flags]")
	dir := fs.String("project", ".", "project directory (holds hookflow.yaml)")
	update := fs.Bool("update", false, "rewrite each case's expect from what was rendered")
	runRE := fs.String("run", "", "run only the cases whose name matches this regular expression")
	verbose := fs.BoolP("verbose", "v", false, "print every step of every case")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	opts := ruletest.Options{Update: *update, Verbose: *verbose}
	if *runRE != "" {
		re, err := regexp.Compile(*runRE)
		if err != nil {
			return fmt.Errorf("--run: %w", err)
		}
		opts.Run = re
	}
	p, err := project.Load(*dir, e.getenv)
	if err != nil {
		n := printProblems(e, err)
		fmt.Fprintf(e.stderr, "%d problem(s) found; the rule tests did not run\n", n)
		return errReported
	}
	if _, err := ruletest.RunProject(p, opts, e.stdout); err != nil {
		if errors.Is(err, ruletest.ErrFailed) {
			return errReported
		}
		return err
	}
	return nil
}
