package rules

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// A rule that writes a JSON body by hand, body: '{"name": "${{ payload.name }}"}',
// puts the value into the JSON text unescaped: a name holding a quote
// breaks the document or adds fields to it. Loading warns, and points at
// json(), which writes a value as JSON, quotes and escapes included.

// Warnings are problems found at load that do not stop the rules from
// loading; `hookflow check` prints them.
func (e *Engine) Warnings() Diagnostics { return e.warnings }

// warnJSONString warns about each ${{ }} of a JSON-looking template string
// that sits inside a JSON string literal.
func (l *loader) warnJSONString(n *yaml.Node, path string, s *stepDef) {
	t, ok := l.tmpls[n.Value]
	if !ok || t.whole {
		return
	}
	first := strings.TrimSpace(n.Value)
	if !strings.HasPrefix(first, "{") && !strings.HasPrefix(first, "[") {
		return
	}
	inString := false
	for _, sg := range t.segs {
		if sg.expr == "" {
			for i := 0; i < len(sg.lit); i++ {
				switch sg.lit[i] {
				case '\\':
					i++
				case '"':
					inString = !inString
				}
			}
			continue
		}
		if inString {
			line, col := l.pos(n, sg.offset)
			l.warns = append(l.warns, Diagnostic{File: l.src.path, Line: line, Col: col,
				Msg: "step " + s.ID + ": " + path + ": ${{ " + sg.expr + " }} sits inside a JSON string, unescaped: a quote in the value breaks the JSON. Write the body as YAML, or use ${{ json(" + sg.expr + ") }} in place of the quoted string"})
		}
	}
}
