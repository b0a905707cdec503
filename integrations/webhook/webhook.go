// Package webhook is the generic outbound webhook kind: its one operation,
// send, delivers a body to the configured URL, optionally signed with
// Standard Webhooks.
package webhook

import (
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hookflow/hookflow/integrations"
)

// Config is the spec of `kind: webhook` (beside the shared kind, timeout
// and retry):
//
//	partner:
//	  kind: webhook
//	  url: https://partner.example.com/hooks
//	  headers: { X-Tenant: acme }
//	  sign: { scheme: standard, secret: ${PARTNER_SECRET} }
type Config struct {
	URL     string            `yaml:"url"`
	Headers map[string]string `yaml:"headers"`
	Sign    *Sign             `yaml:"sign"`
}

// Sign is how requests are signed. Only scheme standard (Standard Webhooks
// v1) exists; its secret is whsec_ followed by base64.
type Sign struct {
	Scheme string `yaml:"scheme"`
	Secret string `yaml:"secret"`
}

var _ integrations.Constructor = New

// New builds a webhook integration from its configuration node.
func New(node *yaml.Node) (*integrations.Integration, error) {
	var c Config
	if err := integrations.Decode(node, &c); err != nil {
		return nil, err
	}
	var errs []error
	fail := func(n *yaml.Node, field, format string, args ...any) {
		errs = append(errs, integrations.Errorf(n, field, format, args...))
	}
	var secrets []string
	base, err := url.Parse(c.URL)
	switch {
	case c.URL == "":
		fail(integrations.Child(node, "url"), "url", "is required")
	case err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "":
		fail(integrations.Child(node, "url"), "url", "must be an absolute http or https URL")
	case base.Fragment != "":
		fail(integrations.Child(node, "url"), "url", "must not have a #fragment")
	default:
		if p, ok := base.User.Password(); ok {
			secrets = append(secrets, p)
		}
	}
	header := http.Header{}
	for _, name := range slices.Sorted(maps.Keys(c.Headers)) {
		v := c.Headers[name]
		if err := integrations.CheckHeader(name, v); err != nil {
			fail(integrations.Child(node, "headers", name), "headers", "%v", err)
			continue
		}
		header.Set(name, v)
		if integrations.Sensitive(name) {
			secrets = append(secrets, v)
		}
	}
	var sg *signer
	if c.Sign != nil {
		var signErrs []error
		sg, signErrs = newSigner(integrations.Child(node, "sign"), *c.Sign)
		errs = append(errs, signErrs...)
		secrets = append(secrets, c.Sign.Secret, strings.TrimPrefix(c.Sign.Secret, secretPrefix))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return &integrations.Integration{
		Operations: map[string]integrations.Operation{
			"send": &send{base: base, header: header, signer: sg},
		},
		Secrets: secrets,
	}, nil
}
