package project

import (
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hookflow/hookflow/redact"
)

// envRef matches ${NAME} and ${NAME:-default}. Rule templates use ${{ }},
// which this never matches.
var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\}`)

// DefaultSecret is a credential setting that took the default of its
// ${NAME:-default}: fine for `hookflow dev` on loopback (the samples run
// without any account), never for serve or worker, where the default is
// public text in this repository.
type DefaultSecret struct {
	Var   string // the environment variable to set
	Field string // the setting, as a dotted path: triggers.shop.verify.secret
	At    string // file:line:col
}

// secretField reports whether the setting at path (YAML keys, outermost
// first) holds a credential: its own name says so (secret, token, api_key,
// password, keys, …), or it sits in an `auth` block (auth.value).
func secretField(path []string) bool {
	if len(path) == 0 {
		return false
	}
	last := path[len(path)-1]
	return redact.Sensitive(last) || (len(path) > 1 && path[len(path)-2] == "auth")
}

// expandEnv replaces environment references in scalar values (never keys),
// after parsing: a secret's characters cannot change the document's shape.
// It also returns the credential settings that fell back to a default.
func expandEnv(file string, n *yaml.Node, getenv func(string) (string, bool)) ([]error, []DefaultSecret) {
	var errs []error
	var defaults []DefaultSecret
	var walk func(n *yaml.Node, path []string, isKey bool)
	walk = func(n *yaml.Node, path []string, isKey bool) {
		switch n.Kind {
		case yaml.DocumentNode, yaml.SequenceNode:
			for _, c := range n.Content {
				walk(c, path, false)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				walk(n.Content[i], path, true)
				walk(n.Content[i+1], append(path[:len(path):len(path)], n.Content[i].Value), false)
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
					if secretField(path) && m[3] != "" {
						defaults = append(defaults, DefaultSecret{Var: m[1], Field: strings.Join(path, "."), At: fmt.Sprintf("%s:%d:%d", file, n.Line, n.Column)})
					}
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
	walk(n, nil, false)
	return errs, defaults
}
