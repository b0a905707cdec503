package integrations

import (
	"errors"
	"net/url"

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

// Credential checks a required credential setting (a token, an API key):
// set, and free of control characters, since it goes into a header. why
// says what it is ("a private app access token, e.g. ${HUBSPOT_TOKEN}").
func (p *Problems) Credential(field, value, why string) {
	switch {
	case value == "":
		p.Field(field, "is required (%s)", why)
	case CheckHeader("Authorization", value) != nil:
		p.Field(field, "must not contain control characters such as a line break")
	}
}

// Base reads the kind's `base_url` (def when unset). With def "" the
// setting is required and example says what it looks like. With secure,
// plain http is accepted only for loopback (tests, local proxies), since a
// credential travels with every request. Nil when there is a problem.
func (p *Problems) Base(raw, def, example string, secure bool) *url.URL {
	if raw == "" && def == "" {
		p.Field("base_url", "is required: %s", example)
		return nil
	}
	u, err := BaseURL(p.node, raw, def)
	switch {
	case err != nil:
		p.Add(err)
		return nil
	case secure && u.Scheme != "https" && !Loopback(u):
		p.Field("base_url", "must be https: the credential is sent with every request")
		return nil
	}
	return u
}
