package rules

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Render evaluates every ${{ }} in tmpl (a Step.With tree from a Plan,
// possibly recorded by an older rules version) against scope and returns a
// new tree; tmpl is not modified. Programs are cached by source text, so a
// template that is no longer in the current rules compiles once on first use.
// Errors name the field path:
// `with.properties.lifetime_value: ${{ payload.x.y }}: <expr error>`.
func (e *Engine) Render(tmpl any, scope Scope) (any, error) {
	env := e.envFor(scope.Input, scope.Steps, scope.Failure)
	return e.render(tmpl, "with", &env)
}

func (e *Engine) render(v any, path string, env *exprEnv) (any, error) {
	switch v := v.(type) {
	case string:
		if !hasTemplate(v) {
			return v, nil
		}
		return e.renderString(v, path, env)
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			r, err := e.render(x, path+"."+k, env)
			if err != nil {
				return nil, err
			}
			out[k] = r
		}
		return out, nil
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			r, err := e.render(x, fmt.Sprintf("%s[%d]", path, i), env)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	default:
		return v, nil
	}
}

func (e *Engine) parsed(s string) (*tmpl, error) {
	if t, ok := e.tmpls.Load(s); ok {
		return t.(*tmpl), nil
	}
	t, err := parseTemplate(s)
	if err != nil {
		return nil, err
	}
	if e.c.size.Load() < maxCached {
		e.tmpls.Store(s, t)
	}
	return t, nil
}

func (e *Engine) renderString(s, path string, env *exprEnv) (any, error) {
	t, err := e.parsed(s)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if t.whole {
		v, err := e.eval(t.segs[0].expr, path, env)
		if err == nil && !e.fits(v) {
			err = fmt.Errorf("%s: ${{ %s }}: %w", path, t.segs[0].expr, e.renderedError())
		}
		return v, err
	}
	var b strings.Builder
	for _, sg := range t.segs {
		if sg.expr == "" {
			b.WriteString(sg.lit)
			continue
		}
		v, err := e.eval(sg.expr, path, env)
		if err != nil {
			return nil, err
		}
		if err := format(&b, v); err != nil {
			return nil, fmt.Errorf("%s: ${{ %s }}: %w", path, sg.expr, err)
		}
		if b.Len() > e.maxRendered() {
			return nil, fmt.Errorf("%s: ${{ %s }}: %w", path, sg.expr, e.renderedError())
		}
	}
	return b.String(), nil
}

func (e *Engine) maxRendered() int {
	return cmp.Or(e.limits.rendered, maxRendered)
}

func (e *Engine) renderedError() *LimitError {
	return &LimitError{Msg: "the rendered value is larger than " + sizeText(e.maxRendered()) + ", the limit for one value (docs/rules.md#limits)"}
}

// fits reports whether a rendered value is within the limit, as text for a
// string and as JSON for anything else, without building the JSON.
func (e *Engine) fits(v any) bool {
	switch v := v.(type) {
	case nil, bool, int, int64, float64:
		return true
	case string:
		return len(v) <= e.maxRendered()
	}
	return fits(v, e.maxRendered())
}

func (e *Engine) eval(src, path string, env *exprEnv) (any, error) {
	prog, err := e.c.compile(src)
	if err != nil {
		return nil, fmt.Errorf("%s: ${{ %s }}: %s", path, src, exprMessage(err))
	}
	v, err := run(prog, env)
	if err != nil {
		return nil, fmt.Errorf("%s: ${{ %s }}: %w", path, src, err)
	}
	return v, nil
}

// format writes v as it reads inside a longer string: strings as they are,
// numbers without exponent, nil as nothing, maps and lists as compact JSON.
func format(b *strings.Builder, v any) error {
	switch v := v.(type) {
	case nil:
	case string:
		b.WriteString(v)
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case int:
		b.WriteString(strconv.Itoa(v))
	case int8, int16, int32, int64:
		fmt.Fprint(b, v)
	case uint, uint8, uint16, uint32, uint64:
		fmt.Fprint(b, v)
	case float64:
		b.WriteString(strconv.FormatFloat(v, 'f', -1, 64))
	case float32:
		b.WriteString(strconv.FormatFloat(float64(v), 'f', -1, 32))
	case time.Time:
		b.WriteString(v.Format(time.RFC3339Nano))
	case time.Duration:
		b.WriteString(v.String())
	default:
		s, err := marshalCompact(v)
		if err != nil {
			return err
		}
		b.WriteString(s)
	}
	return nil
}

// Format is how a value reads inside a longer template string: strings as
// they are, numbers without exponent, nil as "", maps and lists as compact
// JSON. Event ids and search attributes use it too, so a value reads the
// same wherever hookflow turns it into text.
func Format(v any) (string, error) {
	var b strings.Builder
	err := format(&b, v)
	return b.String(), err
}
