package integrations

import "slices"

// Fielder is an Operation that lists every `with` field it takes, so that
// `hookflow check` reports a misspelled field when the project loads rather
// than when an event fails on it.
type Fielder interface {
	Fields() []string
}

// Fields lists the `with` fields an operation takes, for the rules loader
// (rules.Options.Fields); ok is false when the operation cannot say (then
// its fields are checked when it builds a request).
func (s *Set) Fields(integration, operation string) (fields []string, ok bool) {
	_, op, err := s.lookup(integration, operation)
	if err != nil {
		return nil, false
	}
	if f, ok := op.(Fielder); ok {
		return slices.Clone(f.Fields()), true
	}
	return nil, false
}

// Fields: the fields a core operation declares.
func (b *bound) Fields() []string { return slices.Concat(b.op.Required, b.op.Optional) }
