package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/hookflow/hookflow/internal/project"
)

func runCheck(_ context.Context, e env, args []string) error {
	fs := newFlags(e, "check", "[flags]")
	dir := fs.String("project", ".", "project directory (holds hookflow.yaml)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	p, err := project.Load(*dir, e.getenv)
	if err != nil {
		n := printProblems(e, err)
		fmt.Fprintf(e.stderr, "%d problem(s) found\n", n)
		return errReported
	}
	for _, w := range p.Warnings {
		fmt.Fprintln(e.stderr, w)
	}
	fmt.Fprintf(e.stdout, "ok: %d trigger(s), %d integration(s), %d rule(s), rules version %s\n",
		len(p.Triggers.Names()), len(p.Integrations.Names()), len(p.Rules.Rules()), p.Rules.Version())
	return nil
}

// printProblems prints a load error one problem per line and returns how many.
func printProblems(e env, err error) int {
	var lines []string
	var walk func(error)
	walk = func(err error) {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
			return
		}
		for _, l := range strings.Split(err.Error(), "\n") {
			if strings.TrimSpace(l) != "" {
				lines = append(lines, l)
			}
		}
	}
	walk(err)
	for _, l := range lines {
		fmt.Fprintln(e.stderr, l)
	}
	return len(lines)
}
