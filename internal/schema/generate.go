package schema

import (
	"encoding/json"

	"github.com/invopop/jsonschema"

	"github.com/hookflow/hookflow/integrations/catalog"
)

// Files are the schemas by file name, as `hookflow schema --write` and
// `hookflow init` write them and the repository publishes them in schema/.
var Files = map[string]any{
	"hookflow.schema.json":  &Project{},
	"rule.schema.json":      &Rule{},
	"rule-test.schema.json": &RuleTests{},
}

// titles are each schema's title.
var titles = map[string]string{
	"hookflow.schema.json":  "Hookflow project (hookflow.yaml)",
	"rule.schema.json":      "Hookflow rule file",
	"rule-test.schema.json": "Hookflow rule tests (*_test.yaml)",
}

// Generate returns the schema of one of Files, indented JSON ending in a newline.
func Generate(name string) ([]byte, error) {
	r := &jsonschema.Reflector{ExpandedStruct: true}
	s := r.Reflect(Files[name])
	s.ID = jsonschema.ID("https://github.com/hookflow/hookflow/schema/" + name)
	s.Title = titles[name]
	out, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// JSONSchemaExtend lists the kinds and lets each kind's own fields through.
func (Integration) JSONSchemaExtend(s *jsonschema.Schema) {
	s.AdditionalProperties = jsonschema.TrueSchema
	if kind, ok := s.Properties.Get("kind"); ok {
		for _, k := range catalog.Kinds() {
			kind.Enum = append(kind.Enum, k)
		}
	}
}

// JSONSchema: a search attribute is an expression (a keyword), or a type
// and an expression.
func (SearchAttribute) JSONSchema() *jsonschema.Schema {
	props := jsonschema.NewProperties()
	props.Set("type", &jsonschema.Schema{Type: "string", Enum: []any{"keyword", "text", "int", "double", "bool", "datetime", "keyword_list"}})
	props.Set("value", Expr("").JSONSchema())
	return &jsonschema.Schema{OneOf: []*jsonschema.Schema{
		{Type: "string", Description: "an expression; the attribute is a keyword"},
		{Type: "object", Properties: props, Required: []string{"value"}, AdditionalProperties: jsonschema.FalseSchema},
	}}
}
