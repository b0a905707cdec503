package schema

import "github.com/invopop/jsonschema"

// Value types whose YAML spelling is richer than their Go type: any value
// may also be ${NAME} or ${NAME:-default}, which the loader expands.

// envRef matches a value that is one ${NAME} or ${NAME:-default} reference.
const envRef = `^\$\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\}$`

// Duration is 90s, 30m, 12h, 3d, 1h30m or ${NAME}.
type Duration string

func (Duration) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{
		Type:        "string",
		Pattern:     `^(([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h|d))+|0|\$\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\})$`,
		Description: "a duration: 90s, 30m, 12h, 3d, 1h30m",
	}
}

// orEnvRef is a value of JSON type typ, or a ${NAME} to read from the
// environment.
func orEnvRef(typ string) *jsonschema.Schema {
	return &jsonschema.Schema{OneOf: []*jsonschema.Schema{
		{Type: typ},
		{Type: "string", Pattern: envRef},
	}}
}

// Int is a whole number or ${NAME}.
type Int int

func (Int) JSONSchema() *jsonschema.Schema { return orEnvRef("integer") }

// Number is a number or ${NAME}.
type Number float64

func (Number) JSONSchema() *jsonschema.Schema { return orEnvRef("number") }

// Bool is true, false or ${NAME}.
type Bool bool

func (Bool) JSONSchema() *jsonschema.Schema { return orEnvRef("boolean") }

// Size is a byte count: 65536, 64KiB, 1MiB.
type Size string

func (Size) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{
		OneOf: []*jsonschema.Schema{
			{Type: "integer", Minimum: "1"},
			{Type: "string", Pattern: `^([0-9]+ ?([KMG]i?B|B)?|\$\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\})$`},
		},
		Description: "a size in bytes: 65536, 64KiB, 1MiB",
	}
}

// Strings is one string or a list of them.
type Strings []string

func (Strings) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{OneOf: []*jsonschema.Schema{
		{Type: "string"},
		{Type: "array", Items: &jsonschema.Schema{Type: "string"}},
	}}
}

// Expr is an expr expression; a YAML true or false is one too.
type Expr string

func (Expr) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{
		OneOf:       []*jsonschema.Schema{{Type: "string"}, {Type: "boolean"}},
		Description: "an expression (expr language), e.g. event.type == \"orders/paid\"",
	}
}
