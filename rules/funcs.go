package rules

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/vm/runtime"
)

// maxConcat bounds a string built by `+` inside reduce(), the one place
// where expr lets an expression feed its own output back (#acc + #acc
// doubles per element) without counting it against the memory budget.
const maxConcat = 1 << 20

// helperFuncs are the functions rules may call beyond expr's builtins (which
// already provide lower, upper and trim). All are pure: no clock, network or
// files, so a rule test renders the same output every time.
func helperFuncs() []expr.Option {
	return []expr.Option{
		expr.Function("sha256", func(p ...any) (any, error) {
			sum := sha256.Sum256([]byte(p[0].(string)))
			return hex.EncodeToString(sum[:]), nil
		}, new(func(string) string)),
		expr.Function("hmac_sha256", func(p ...any) (any, error) {
			m := hmac.New(sha256.New, []byte(p[0].(string)))
			m.Write([]byte(p[1].(string)))
			return hex.EncodeToString(m.Sum(nil)), nil
		}, new(func(key, msg string) string)),
		expr.Function("json", func(p ...any) (any, error) {
			return marshalCompact(p[0])
		}, new(func(any) string)),
		expr.Function("parse_time", func(p ...any) (any, error) {
			layout, s := time.RFC3339, p[0].(string)
			if len(p) == 2 {
				layout, s = timeLayout(p[0].(string)), p[1].(string)
			}
			t, err := time.Parse(layout, s)
			if err != nil {
				return nil, fmt.Errorf("parse_time: %w", err)
			}
			return t, nil
		}, new(func(s string) time.Time), new(func(layout, s string) time.Time)),
		expr.Function("format_time", func(p ...any) (any, error) {
			return p[0].(time.Time).Format(timeLayout(p[1].(string))), nil
		}, new(func(t time.Time, layout string) string)),
		expr.Function("default", func(p ...any) (any, error) {
			if isEmpty(p[0]) {
				return p[1], nil
			}
			return p[0], nil
		}, new(func(x, fallback any) any)),
		expr.Function("coalesce", func(p ...any) (any, error) {
			for _, v := range p {
				if !isEmpty(v) {
					return v, nil
				}
			}
			return nil, nil
		}, new(func(...any) any)),
		expr.Function(pathSegmentFunc, func(p ...any) (any, error) {
			return pathSegment(p[0])
		}, new(func(any) string)),
		expr.Function(boundedAddFunc, func(p ...any) (any, error) {
			if a, ok := p[0].(string); ok {
				if b, ok := p[1].(string); ok && len(a)+len(b) > maxConcat {
					return nil, fmt.Errorf("string longer than %d bytes", maxConcat)
				}
			}
			return runtime.Add(p[0], p[1]), nil
		}, new(func(a, b any) any)),
		expr.Patch(reduceGuard{}),
	}
}

// isEmpty is what default and coalesce skip: nil and the empty string.
func isEmpty(v any) bool {
	return v == nil || v == ""
}

var namedLayouts = map[string]string{
	"RFC3339":     time.RFC3339,
	"RFC3339Nano": time.RFC3339Nano,
	"RFC1123":     time.RFC1123,
	"RFC1123Z":    time.RFC1123Z,
	"RFC822":      time.RFC822,
	"RFC822Z":     time.RFC822Z,
	"RFC850":      time.RFC850,
	"ANSIC":       time.ANSIC,
	"UnixDate":    time.UnixDate,
	"Kitchen":     time.Kitchen,
	"DateTime":    time.DateTime,
	"DateOnly":    time.DateOnly,
	"TimeOnly":    time.TimeOnly,
}

// timeLayout accepts a Go layout or the name of one of Go's standard layouts.
func timeLayout(s string) string {
	if l, ok := namedLayouts[s]; ok {
		return l
	}
	return s
}

// marshalCompact is JSON without a trailing newline or HTML escaping, as a
// person would write it into a message.
func marshalCompact(v any) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return string(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))), nil
}

const boundedAddFunc = "_hookflow_add"

// reduceGuard rewrites `a + b` inside reduce() into a length-checked call.
type reduceGuard struct{}

func (reduceGuard) Visit(node *ast.Node) {
	b, ok := (*node).(*ast.BuiltinNode)
	if !ok || b.Name != "reduce" {
		return
	}
	for i := 1; i < len(b.Arguments); i++ {
		ast.Walk(&b.Arguments[i], addRewriter{})
	}
}

type addRewriter struct{}

func (addRewriter) Visit(node *ast.Node) {
	bin, ok := (*node).(*ast.BinaryNode)
	if !ok || bin.Operator != "+" {
		return
	}
	call := &ast.CallNode{
		Callee:    &ast.IdentifierNode{Value: boundedAddFunc},
		Arguments: []ast.Node{bin.Left, bin.Right},
	}
	call.SetLocation(bin.Location())
	*node = call
}
