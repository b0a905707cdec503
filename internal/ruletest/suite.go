package ruletest

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/hookflow/hookflow/internal/project"
)

// Options are `hookflow test`'s flags.
type Options struct {
	Update  bool           // rewrite expectations from what was rendered
	Run     *regexp.Regexp // only cases whose name matches; nil: all
	Verbose bool           // print every step of every case
}

// Summary counts cases.
type Summary struct {
	Passed, Failed int
	Updated        []string // files rewritten by Update
}

// RunProject runs every *_test.yaml in p's rules folder and writes one line
// per case, a readable diff for each failure and a summary line to w. Test
// files that do not parse count as one failure each.
func RunProject(p *project.Project, opts Options, w io.Writer) (Summary, error) {
	var sum Summary
	r, err := New(p)
	if err != nil {
		return sum, err
	}
	paths, err := Discover(p.RulesDir)
	if err != nil {
		return sum, err
	}
	for _, path := range paths {
		name := filepath.Base(path)
		f, err := ParseFile(path)
		if err != nil {
			sum.Failed++
			fmt.Fprintf(w, "FAIL %s\n%s\n", name, indent(err.Error()))
			continue
		}
		var results []*Result
		for _, c := range f.Cases {
			if opts.Run != nil && !opts.Run.MatchString(c.Name) {
				continue
			}
			res := r.Run(c)
			results = append(results, res)
			shown := res.Problems
			if opts.Update && res.Err == nil {
				shown = stepErrors(res) // the other differences are being rewritten
			}
			ok := res.Err == nil && len(shown) == 0
			switch {
			case ok && !res.Passed():
				fmt.Fprintf(w, "ok   %s: %s (expectations updated)\n", name, c.Name)
			case ok:
				fmt.Fprintf(w, "ok   %s: %s\n", name, c.Name)
			default:
				fmt.Fprintf(w, "FAIL %s:%d: %s\n", name, c.Line, c.Name)
				if res.Err != nil {
					fmt.Fprintln(w, indent(res.Err.Error()))
				}
				for _, f := range shown {
					fmt.Fprintln(w, indent(f.String()))
				}
			}
			if ok {
				sum.Passed++
			} else {
				sum.Failed++
			}
			if opts.Verbose || !ok {
				printSteps(w, res)
			}
		}
		if opts.Update && len(results) > 0 {
			changed, err := f.Update(results)
			if err != nil {
				return sum, fmt.Errorf("update %s: %w", path, err)
			}
			if changed {
				sum.Updated = append(sum.Updated, path)
			}
		}
	}
	for _, path := range sum.Updated {
		fmt.Fprintf(w, "updated %s\n", path)
	}
	fmt.Fprintf(w, "%d passed, %d failed\n", sum.Passed, sum.Failed)
	if sum.Failed > 0 {
		return sum, ErrFailed
	}
	return sum, nil
}

// ErrFailed means at least one case failed; the output says which.
var ErrFailed = errors.New("rule tests failed")

// stepErrors are the findings --update cannot fix: steps that could not
// render or build.
func stepErrors(res *Result) []Finding {
	var out []Finding
	for _, f := range res.Problems {
		for _, s := range res.Steps {
			if s.Err != nil && f.Where == s.Key() {
				out = append(out, f)
				break
			}
		}
	}
	return out
}

func printSteps(w io.Writer, res *Result) {
	if len(res.Steps) == 0 {
		return
	}
	fmt.Fprintln(w, "    steps:")
	for _, s := range res.Steps {
		line := fmt.Sprintf("      %-8s %-32s %s", s.Kind, s.Key(), s.Status)
		if s.Request != nil {
			line += fmt.Sprintf(": %s %s", s.Request.Method, s.Request.URL)
		}
		if s.Note != "" {
			line += " (" + s.Note + ")"
		}
		fmt.Fprintln(w, line)
	}
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}
