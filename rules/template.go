package rules

import (
	"strings"
	"unicode/utf8"
)

// segment is a literal run of text or one ${{ expr }} in a template string.
type segment struct {
	lit    string
	expr   string // trimmed expression source; empty for a literal
	offset int    // rune offset of expr inside the template string
}

// tmpl is a parsed template string.
type tmpl struct {
	segs []segment
	// whole is set when the string is exactly one ${{ }} (surrounding spaces
	// allowed): rendering keeps the expression's type.
	whole bool
}

const (
	openDelim  = "${{"
	closeDelim = "}}"
)

func hasTemplate(s string) bool { return strings.Contains(s, openDelim) }

// templateError is a malformed template, with the rune offset of the problem.
type templateError struct {
	offset int
	msg    string
}

func (e *templateError) Error() string { return e.msg }

// parseTemplate splits s into literals and expressions. The end of an
// expression is the first `}}` outside string literals and balanced braces,
// so `${{ {"a": {"b": 1}} }}` works.
func parseTemplate(s string) (*tmpl, error) {
	t := &tmpl{}
	rest, pos := s, 0
	for {
		i := strings.Index(rest, openDelim)
		if i < 0 {
			if rest != "" {
				t.segs = append(t.segs, segment{lit: rest})
			}
			break
		}
		if i > 0 {
			t.segs = append(t.segs, segment{lit: rest[:i]})
		}
		start := pos + i + len(openDelim)
		end := scanExpr(s, start)
		if end < 0 {
			return nil, &templateError{utf8.RuneCountInString(s[:pos+i]), "unterminated ${{ (missing }})"}
		}
		inner := s[start:end]
		src := strings.TrimSpace(inner)
		lead := len(inner) - len(strings.TrimLeft(inner, " \t\r\n"))
		if src == "" {
			return nil, &templateError{utf8.RuneCountInString(s[:pos+i]), "empty ${{ }}"}
		}
		t.segs = append(t.segs, segment{expr: src, offset: utf8.RuneCountInString(s[:start+lead])})
		pos = end + len(closeDelim)
		rest = s[pos:]
	}
	if len(t.segs) == 1 && t.segs[0].expr != "" {
		t.whole = true
	} else if n := len(t.segs); n >= 1 && n <= 3 {
		// "  ${{ x }}  " also keeps its type.
		var exprs int
		blank := true
		for _, sg := range t.segs {
			if sg.expr != "" {
				exprs++
			} else if strings.TrimSpace(sg.lit) != "" {
				blank = false
			}
		}
		if exprs == 1 && blank {
			t.whole = true
			var keep []segment
			for _, sg := range t.segs {
				if sg.expr != "" {
					keep = append(keep, sg)
				}
			}
			t.segs = keep
		}
	}
	return t, nil
}

// scanExpr returns the byte index of the `}}` closing the expression that
// starts at start, or -1.
func scanExpr(s string, start int) int {
	depth := 0
	var quote byte
	for i := start; i < len(s); i++ {
		c := s[i]
		if quote != 0 {
			switch {
			case c == '\\' && quote != '`':
				i++
			case c == quote:
				quote = 0
			}
			continue
		}
		switch c {
		case '"', '\'', '`':
			quote = c
		case '{':
			depth++
		case '}':
			if depth == 0 {
				if i+1 < len(s) && s[i+1] == '}' {
					return i
				}
				return -1
			}
			depth--
		}
	}
	return -1
}
