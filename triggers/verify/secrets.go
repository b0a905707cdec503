package verify

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

// Secrets is one secret or a list (rotation: any verifies). In YAML it is
// either a string or a list of strings.
type Secrets []string

// UnmarshalYAML accepts a scalar or a sequence of scalars.
func (s *Secrets) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			*s = nil
			return nil
		}
		*s = Secrets{n.Value}
		return nil
	case yaml.SequenceNode:
		out := make(Secrets, 0, len(n.Content))
		for i, c := range n.Content {
			if c.Kind != yaml.ScalarNode || c.Tag == "!!null" {
				return fmt.Errorf("line %d: verify.secret[%d] must be a string", c.Line, i)
			}
			out = append(out, c.Value)
		}
		*s = out
		return nil
	}
	return fmt.Errorf("line %d: verify.secret must be a string or a list of strings", n.Line)
}

// String hides the secrets so that printing a Config never leaks them.
func (s Secrets) String() string { return fmt.Sprintf("[%d secret(s) redacted]", len(s)) }

// GoString hides the secrets from %#v as well.
func (s Secrets) GoString() string { return s.String() }
