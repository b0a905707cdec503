package project

import (
	"fmt"
	"regexp"

	"gopkg.in/yaml.v3"
)

// envRef matches ${NAME} and ${NAME:-default}. Rule templates use ${{ }},
// which this never matches.
var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\}`)

// expandEnv replaces environment references in scalar values (never keys),
// after parsing: a secret's characters cannot change the document's shape.
func expandEnv(file string, n *yaml.Node, getenv func(string) (string, bool)) []error {
	var errs []error
	var walk func(n *yaml.Node, isKey bool)
	walk = func(n *yaml.Node, isKey bool) {
		switch n.Kind {
		case yaml.DocumentNode, yaml.SequenceNode:
			for _, c := range n.Content {
				walk(c, false)
			}
		case yaml.MappingNode:
			for i, c := range n.Content {
				walk(c, i%2 == 0)
			}
		case yaml.ScalarNode:
			if isKey || !envRef.MatchString(n.Value) {
				return
			}
			n.Value = envRef.ReplaceAllStringFunc(n.Value, func(ref string) string {
				m := envRef.FindStringSubmatch(ref)
				if v, ok := getenv(m[1]); ok && v != "" {
					return v
				}
				if m[2] != "" {
					return m[3]
				}
				errs = append(errs, fmt.Errorf("%s:%d:%d: environment variable %s is not set (set it, or write ${%s:-default})", file, n.Line, n.Column, m[1], m[1]))
				return ""
			})
			if n.Style == 0 {
				n.Tag = "" // let a plain ${PORT} resolve as the number it now is
			}
		}
	}
	walk(n, false)
	return errs
}
