package integrations

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// PosError is a config error at a position in hookflow.yaml.
type PosError struct {
	Line, Col int
	Msg       string
}

func (e *PosError) Error() string { return e.Msg }

// At makes a PosError at n.
func At(n *yaml.Node, format string, args ...any) *PosError {
	return &PosError{Line: n.Line, Col: n.Column, Msg: fmt.Sprintf(format, args...)}
}

// Decode decodes a kind's config mapping into cfg (a pointer to a struct with
// yaml tags), rejecting fields cfg does not have: a typo is an error, not a
// silently ignored setting. "kind" is skipped: the catalog reads it.
func Decode(n *yaml.Node, cfg any) []error {
	if n.Kind != yaml.MappingNode {
		return []error{At(n, "must be a mapping")}
	}
	known := yamlFields(reflect.TypeOf(cfg).Elem())
	var errs []error
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Value == "kind" {
			continue
		}
		if !known[k.Value] {
			errs = append(errs, At(k, "unknown field %q (known: %s)", k.Value, strings.Join(sortedKeys(known), ", ")))
		}
	}
	if len(errs) > 0 {
		return errs
	}
	if err := n.Decode(cfg); err != nil {
		return []error{At(n, "%s", strings.TrimSpace(strings.TrimPrefix(err.Error(), "yaml: unmarshal errors:\n")))}
	}
	return nil
}

func yamlFields(t reflect.Type) map[string]bool {
	out := map[string]bool{}
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			out[name] = true
		}
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
