package project

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/expr-lang/expr/parser"
	enumspb "go.temporal.io/api/enums/v1"
	"gopkg.in/yaml.v3"

	"github.com/hookflow/hookflow/activities"
)

// attrTypes are the types a project-declared search attribute may have.
var attrTypes = map[string]enumspb.IndexedValueType{
	"keyword":      enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	"keyword_list": enumspb.INDEXED_VALUE_TYPE_KEYWORD_LIST,
	"text":         enumspb.INDEXED_VALUE_TYPE_TEXT,
	"int":          enumspb.INDEXED_VALUE_TYPE_INT,
	"double":       enumspb.INDEXED_VALUE_TYPE_DOUBLE,
	"bool":         enumspb.INDEXED_VALUE_TYPE_BOOL,
	"datetime":     enumspb.INDEXED_VALUE_TYPE_DATETIME,
}

var attrNameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// loadSearchAttributes reads
//
//	search_attributes:
//	  OrderId: { type: keyword, value: payload.id }
//	  CustomerEmailHash: sha256(payload.email)      # keyword by default
func loadSearchAttributes(file string, n *yaml.Node) ([]activities.SearchAttribute, []error) {
	if n == nil {
		return nil, nil
	}
	at := func(n *yaml.Node, format string, args ...any) error {
		return fmt.Errorf("%s:%d:%d: search_attributes: %s", file, n.Line, n.Column, fmt.Sprintf(format, args...))
	}
	if n.Kind != yaml.MappingNode {
		return nil, []error{at(n, "must map attribute names to expressions or {type, value}")}
	}
	var out []activities.SearchAttribute
	var errs []error
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		a := activities.SearchAttribute{Name: k.Value, Type: "keyword"}
		switch v.Kind {
		case yaml.ScalarNode:
			a.Value = v.Value
		case yaml.MappingNode:
			var spec struct {
				Type  string `yaml:"type"`
				Value string `yaml:"value"`
			}
			if err := v.Decode(&spec); err != nil {
				errs = append(errs, at(v, "%s: want {type, value}", k.Value))
				continue
			}
			a.Value = spec.Value
			if spec.Type != "" {
				a.Type = spec.Type
			}
		default:
			errs = append(errs, at(v, "%s: want an expression or {type, value}", k.Value))
			continue
		}
		switch {
		case !attrNameRE.MatchString(a.Name) || strings.HasPrefix(a.Name, "Hook") || strings.HasPrefix(a.Name, "Temporal"):
			errs = append(errs, at(k, "name %q: use letters, digits and _, not starting with Hook or Temporal (those are reserved)", a.Name))
		case attrTypes[a.Type] == enumspb.INDEXED_VALUE_TYPE_UNSPECIFIED:
			errs = append(errs, at(v, "%s: type %q is unknown (known: %s)", a.Name, a.Type, strings.Join(attrTypeNames(), ", ")))
		case strings.TrimSpace(a.Value) == "":
			errs = append(errs, at(v, "%s: value is required, an expression like payload.id", a.Name))
		default:
			if _, err := parser.Parse(a.Value); err != nil {
				errs = append(errs, at(v, "%s: %v", a.Name, strings.ReplaceAll(err.Error(), "\n", " ")))
				continue
			}
			out = append(out, a)
		}
	}
	return out, errs
}

func attrTypeNames() []string {
	names := make([]string, 0, len(attrTypes))
	for n := range attrTypes {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// SearchAttributeTypes are the project's own attributes with their Temporal types.
func (p *Project) SearchAttributeTypes() map[string]enumspb.IndexedValueType {
	out := map[string]enumspb.IndexedValueType{}
	for _, a := range p.SearchAttributes {
		out[a.Name] = attrTypes[a.Type]
	}
	return out
}
