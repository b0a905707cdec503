package rules

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Diagnostic is one load error at a position in a rule file. Line and Col
// are 1-based; a zero Line means the error concerns the whole file.
type Diagnostic struct {
	File      string
	Line, Col int
	Msg       string
}

// Error formats "file:line:col: message".
func (d Diagnostic) Error() string {
	if d.Line == 0 {
		return fmt.Sprintf("%s: %s", d.File, d.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", d.File, d.Line, d.Col, d.Msg)
}

// Diagnostics is every load error at once, sorted by file, line and column.
type Diagnostics []Diagnostic

// Error joins the diagnostics with newlines.
func (d Diagnostics) Error() string {
	lines := make([]string, len(d))
	for i, x := range d {
		lines[i] = x.Error()
	}
	return strings.Join(lines, "\n")
}

func (d Diagnostics) sort() {
	slices.SortStableFunc(d, func(a, b Diagnostic) int {
		return cmp.Or(
			cmp.Compare(a.File, b.File),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Col, b.Col),
		)
	})
}
