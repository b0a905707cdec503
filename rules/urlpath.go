package rules

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"
	"gopkg.in/yaml.v3"
)

// URL paths are where event data could steer a credentialed call: a value
// of "../../admin" or "5?force=true#" must not change which resource a
// DELETE reaches. So a `with` field that an operation declares a URL path
// (Options.URLPaths) is compiled in path-segment mode: every ${{ x }} in it
// becomes ${{ path_segment(x) }}, which renders x as one percent-encoded
// segment and refuses values that are empty or hold a dot segment. The
// rewrite is stored in the plan, so a recorded plan renders the same way on
// any worker, and the mode needs no argument to Render. Literal parts stay
// as written; a literal "?" or "#" is a load error (queries go in
// with.query).

// pathSegmentFunc is the function the rewrite calls; rules may call it too.
const pathSegmentFunc = "path_segment"

func (l *loader) isURLPath(s *stepDef, path string) bool {
	if l.opts.URLPaths == nil || s.Call == "" {
		return false
	}
	field, ok := strings.CutPrefix(path, "with.")
	if !ok {
		return false
	}
	return slices.Contains(l.opts.URLPaths(s.Step.Integration(), s.Step.Operation()), field)
}

// pathTemplate checks a URL path field's literal parts, compiles it and
// returns it rewritten to path-segment mode.
func (l *loader) pathTemplate(n *yaml.Node, path string, s *stepDef) string {
	src := n.Value
	if !hasTemplate(src) {
		l.checkPathLiteral(n, path, s, src)
		return src
	}
	l.compileTemplate(n, path, s)
	t, ok := l.tmpls[src]
	if !ok {
		return src // compileTemplate reported why
	}
	out := segmentMode(t)
	for _, sg := range t.segs {
		if sg.expr == "" {
			l.checkPathLiteral(n, path, s, sg.lit)
		}
	}
	rt, err := parseTemplate(out)
	if err != nil {
		l.errorf(n, "step %s: %s: %v", s.ID, path, err)
		return src
	}
	l.tmpls[out] = rt
	for _, sg := range rt.segs {
		if sg.expr == "" {
			continue
		}
		if _, err := l.c.tmpl.compile(sg.expr); err != nil {
			l.errorf(n, "step %s: %s: ${{ %s }} cannot be used in a URL path: %s", s.ID, path, sg.expr, exprMessage(err))
		}
	}
	return out
}

// segmentMode writes t back with every expression wrapped in path_segment.
func segmentMode(t *tmpl) string {
	var b strings.Builder
	for _, sg := range t.segs {
		if sg.expr == "" {
			b.WriteString(sg.lit)
			continue
		}
		b.WriteString(openDelim + " ")
		if isPathSegmentCall(sg.expr) {
			b.WriteString(sg.expr) // already one segment: never encode twice
		} else {
			b.WriteString(pathSegmentFunc + "(" + sg.expr)
			if strings.Contains(sg.expr, "//") {
				b.WriteString("\n") // a trailing // comment must not swallow the )
			}
			b.WriteString(")")
		}
		b.WriteString(" " + closeDelim)
	}
	return b.String()
}

// isPathSegmentCall reports whether src is exactly path_segment(…).
func isPathSegmentCall(src string) bool {
	tree, err := parser.Parse(src)
	if err != nil {
		return false
	}
	c, ok := tree.Node.(*ast.CallNode)
	if !ok {
		return false
	}
	id, ok := c.Callee.(*ast.IdentifierNode)
	return ok && id.Value == pathSegmentFunc
}

// checkPathLiteral refuses what a URL path written in a rule must not hold.
func (l *loader) checkPathLiteral(n *yaml.Node, path string, s *stepDef, lit string) {
	if err := pathLiteralError(lit); err != nil {
		l.errorf(n, "step %s: %s: %v", s.ID, path, err)
	}
}

// pathLiteralError says what a literal part of a URL path must not hold.
func pathLiteralError(lit string) error {
	switch {
	case strings.ContainsRune(lit, '?'):
		return fmt.Errorf("a URL path cannot hold ?: give query parameters in with.query")
	case strings.ContainsRune(lit, '#'):
		return fmt.Errorf("a URL path cannot hold #")
	}
	for _, seg := range strings.Split(lit, "/") {
		if seg == "." || seg == ".." {
			return fmt.Errorf("a URL path cannot hold the dot segment %q; it would leave the integration's base path", seg)
		}
	}
	return nil
}

// pathSegment is path_segment(v): v as text, percent-encoded as one URL
// path segment (RFC 3986: "/", "?", "#", ";", "%" and "\" encoded). It
// refuses an empty value, and one that is or holds "." or ".." between "/"
// or "\": encoding does not neutralise those, as servers decode %2E (and
// some %2F) before resolving dot segments. integrations.CheckSegment applies
// the same test to the final URL.
func pathSegment(v any) (string, error) {
	s, err := Format(v)
	if err != nil {
		return "", err
	}
	if s == "" {
		return "", fmt.Errorf("%s: the value is empty, and a URL path segment cannot be", pathSegmentFunc)
	}
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == '\\' })
	if len(parts) == 0 {
		return "", fmt.Errorf("%s: the value is only slashes", pathSegmentFunc)
	}
	for _, p := range parts {
		// Servers such as Tomcat drop ";params" before resolving: "..;" is "..".
		if dot, _, _ := strings.Cut(p, ";"); dot == "." || dot == ".." {
			return "", fmt.Errorf("%s: the value holds the dot segment %q, which would leave its place in the URL", pathSegmentFunc, p)
		}
	}
	return url.PathEscape(s), nil
}
