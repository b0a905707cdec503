package rules

import (
	"reflect"
	"regexp"
	"strings"
)

// Rule authors see `event`, `steps.<id>` and `failure`, not the Go types
// behind them: expr's "type rules.Event has no field typ" becomes "event has
// no field typ (it has: id, type, trigger, received_at)".

// envTypes names each Go type of the expression environment as rules spell it.
var envTypes = map[string]struct {
	name string
	typ  reflect.Type
}{
	"rules.Event":     {"event", reflect.TypeFor[Event]()},
	"rules.StepState": {"a step (steps.<id>)", reflect.TypeFor[StepState]()},
	"rules.Failure":   {"failure", reflect.TypeFor[Failure]()},
}

var (
	noFieldRE = regexp.MustCompile(`type (rules\.\w+) has no (field|method) (\w+)`)
	goTypeRE  = regexp.MustCompile(`rules\.\w+`)
)

// authorMessage rewrites Go type names in an expr message into the names a
// rule file uses, and lists the fields that do exist.
func authorMessage(msg string) string {
	msg = noFieldRE.ReplaceAllStringFunc(msg, func(m string) string {
		sub := noFieldRE.FindStringSubmatch(m)
		t, ok := envTypes[sub[1]]
		if !ok {
			return m
		}
		return t.name + " has no field " + sub[3] + " (it has: " + strings.Join(exprFields(t.typ), ", ") + ")"
	})
	return goTypeRE.ReplaceAllStringFunc(msg, func(m string) string {
		if t, ok := envTypes[m]; ok {
			return t.name
		}
		return m
	})
}

// exprFields are a struct's field names as expressions spell them.
func exprFields(t reflect.Type) []string {
	var out []string
	for f := range t.Fields() {
		if name := f.Tag.Get("expr"); name != "" {
			out = append(out, name)
		}
	}
	return out
}
