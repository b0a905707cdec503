package rules

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/expr-lang/expr"
)

// helperFuncs are the functions rules may call beyond expr's builtins (which
// already provide lower, upper and trim). All are pure: no clock, network or
// files, so a rule test renders the same output every time. Those that build
// text take the evaluation's budget (budget.go) first; rules call them
// without it.
func helperFuncs() []expr.Option {
	fn := budgetedFunc
	opts := []expr.Option{
		fn("sha256", func(b *budget, p []any) (any, error) {
			if err := b.check(); err != nil {
				return nil, err
			}
			sum := sha256.Sum256([]byte(p[0].(string)))
			return hex.EncodeToString(sum[:]), nil
		}, new(func(*budget, string) string)),
		fn("hmac_sha256", func(b *budget, p []any) (any, error) {
			if err := b.check(); err != nil {
				return nil, err
			}
			m := hmac.New(sha256.New, []byte(p[0].(string)))
			m.Write([]byte(p[1].(string)))
			return hex.EncodeToString(m.Sum(nil)), nil
		}, new(func(b *budget, key, msg string) string)),
		fn("json", func(b *budget, p []any) (any, error) {
			return encodeJSON(b, p[0], "", false)
		}, new(func(*budget, any) string)),
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
		fn("format_time", func(b *budget, p []any) (any, error) {
			layout := timeLayout(p[1].(string))
			// A layout's output is at most a few times its length.
			if err := b.spend(4*len(layout) + 64); err != nil {
				return nil, err
			}
			return p[0].(time.Time).Format(layout), nil
		}, new(func(b *budget, t time.Time, layout string) string)),
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
		fn(pathSegmentFunc, func(b *budget, p []any) (any, error) {
			s, err := pathSegment(p[0])
			if err == nil {
				err = b.spend(len(s))
			}
			return s, err
		}, new(func(*budget, any) string)),
	}
	return append(opts, budgetFuncs()...)
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
// person would write it into a message; it fails beyond maxRendered bytes.
func marshalCompact(v any) (string, error) {
	var b strings.Builder
	if err := writeJSON(&cappedBuilder{b: &b, n: maxRendered}, v, "", false); err != nil {
		return "", err
	}
	return b.String(), nil
}
