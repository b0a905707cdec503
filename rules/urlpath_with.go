package rules

import (
	"fmt"
	"maps"
)

// PathSafeWith gives a call's `with` written outside a rule file (the
// project's health.notify) the URL path treatment rule steps get at load:
// each top-level field named in fields (the operation's URL path fields)
// has its literal parts checked and every ${{ x }} rewritten to
// ${{ path_segment(x) }}, so no rendered value can leave its segment. The
// map is copied; with is returned unchanged when it holds no such field.
func PathSafeWith(with any, fields []string) (any, error) {
	m, ok := with.(map[string]any)
	if !ok || len(fields) == 0 {
		return with, nil
	}
	out := maps.Clone(m)
	for _, f := range fields {
		v, ok := m[f]
		if !ok {
			continue
		}
		src, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("with.%s: a URL path must be text, got %T", f, v)
		}
		if !hasTemplate(src) {
			if err := pathLiteralError(src); err != nil {
				return nil, fmt.Errorf("with.%s: %w", f, err)
			}
			continue
		}
		t, err := parseTemplate(src)
		if err != nil {
			return nil, fmt.Errorf("with.%s: %w", f, err)
		}
		for _, sg := range t.segs {
			if sg.expr != "" {
				continue
			}
			if err := pathLiteralError(sg.lit); err != nil {
				return nil, fmt.Errorf("with.%s: %w", f, err)
			}
		}
		out[f] = segmentMode(t)
	}
	return out, nil
}
