// Package catalog is the one table of integration kinds and the loader that
// builds a project's integrations from hookflow.yaml.
package catalog

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hookflow/hookflow/integrations"
	"github.com/hookflow/hookflow/integrations/webhook"
)

// Factory builds one integration of a kind from its config node.
type Factory func(n *yaml.Node) (integrations.Integration, []error)

// kinds is every integration kind, registered here and nowhere else.
var kinds = map[string]Factory{
	"webhook": webhook.New,
}

// Kinds lists the registered kind names.
func Kinds() []string {
	names := make([]string, 0, len(kinds))
	for k := range kinds {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)

// Load builds the Set from the `integrations:` mapping of hookflow.yaml.
// Every error is reported, each as "file:line:col: message".
func Load(file string, node *yaml.Node, allow []netip.Prefix) (*integrations.Set, error) {
	byName := map[string]integrations.Integration{}
	var errs []error
	at := func(name string, err error, fallback *yaml.Node) error {
		line, col, msg := fallback.Line, fallback.Column, err.Error()
		var pe *integrations.PosError
		if errors.As(err, &pe) {
			line, col = pe.Line, pe.Col
		}
		prefix := "integrations"
		if name != "" {
			prefix += "." + name
		}
		return fmt.Errorf("%s:%d:%d: %s: %s", file, line, col, prefix, msg)
	}
	if node != nil {
		if node.Kind != yaml.MappingNode {
			return nil, at("", errors.New("must be a mapping of integration name to settings"), node)
		}
		for i := 0; i+1 < len(node.Content); i += 2 {
			k, v := node.Content[i], node.Content[i+1]
			if !nameRE.MatchString(k.Value) {
				errs = append(errs, at("", fmt.Errorf("name %q: use lower-case letters, digits, - and _ (rules call it as name.operation)", k.Value), k))
				continue
			}
			kind := ""
			for j := 0; v.Kind == yaml.MappingNode && j+1 < len(v.Content); j += 2 {
				if v.Content[j].Value == "kind" {
					kind = v.Content[j+1].Value
				}
			}
			factory, ok := kinds[kind]
			if !ok {
				msg := fmt.Errorf("kind is required (known: %s)", strings.Join(Kinds(), ", "))
				if kind != "" {
					msg = fmt.Errorf("unknown kind %q (known: %s)", kind, strings.Join(Kinds(), ", "))
				}
				errs = append(errs, at(k.Value, msg, v))
				continue
			}
			in, kErrs := factory(v)
			for _, e := range kErrs {
				errs = append(errs, at(k.Value, e, v))
			}
			if len(kErrs) == 0 {
				byName[k.Value] = in
			}
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return integrations.NewSet(byName, integrations.NewGuard(allow)), nil
}
