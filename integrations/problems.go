package integrations

import (
	"errors"

	"gopkg.in/yaml.v3"
)

// Problems collects a kind's configuration errors, each at the position of
// the field it is about, so New can report every problem at once.
type Problems struct {
	node *yaml.Node
	errs []error
}

// NewProblems collects problems of the kind's config mapping node.
func NewProblems(node *yaml.Node) *Problems { return &Problems{node: node} }

// Field records a problem with field, at its position (or the mapping's).
func (p *Problems) Field(field, format string, args ...any) {
	p.errs = append(p.errs, Errorf(Child(p.node, field), field, format, args...))
}

// Add records an error as it is; nil is ignored.
func (p *Problems) Add(err error) {
	if err != nil {
		p.errs = append(p.errs, err)
	}
}

// Err is every problem joined, or nil when there is none.
func (p *Problems) Err() error { return errors.Join(p.errs...) }
