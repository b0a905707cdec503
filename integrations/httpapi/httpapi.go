// Package httpapi is the generic `http` kind: call any JSON or form API
// with any method, path, query, headers and body, authenticated with a
// bearer token, basic auth, or a key in a header or query parameter, or
// with bearer tokens from the shared OAuth layer.
package httpapi

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

// Config is the spec of `kind: http`:
//
//	erp:
//	  kind: http
//	  base_url: https://erp.example.com/api/v2   # required
//	  headers: { Accept: application/json }
//	  auth: { type: bearer, token: ${ERP_TOKEN} }
//	  # auth: { type: basic, username: hookflow, password: ${ERP_PASSWORD} }
//	  # auth: { type: header, name: X-Api-Key, value: ${ERP_KEY} }
//	  # auth: { type: query, name: api_key, value: ${ERP_KEY} }
//	  # oauth: { grant: client_credentials, token_url: https://login.erp.example.com/token, client_id: …, client_secret: ${ERP_SECRET} }
//	  replays_errors: true   # the API replays a saved 5xx for the same Idempotency-Key
type Config struct {
	BaseURL string            `yaml:"base_url"`
	Headers map[string]string `yaml:"headers"`
	Auth    *Auth             `yaml:"auth"`
	// OAuth is a bearer token fetched and renewed by the worker, instead
	// of auth.
	OAuth *integrations.OAuthConfig `yaml:"oauth"`
	// ReplaysErrors says the API saves its answer to an Idempotency-Key and
	// replays it, a 5xx included, without marking replays: a 5xx is then
	// permanent rather than retried into the same answer.
	ReplaysErrors bool `yaml:"replays_errors"`
}

// Auth is how requests are authenticated.
type Auth struct {
	Type     string `yaml:"type"`
	Token    string `yaml:"token"`
	Username string `yaml:"username"`
	Password string `yaml:"password"`
	Name     string `yaml:"name"`
	Value    string `yaml:"value"`
}

var authTypes = []string{"basic", "bearer", "header", "query"}

var _ integrations.Constructor = New

// New builds an http integration from its configuration node.
func New(node *yaml.Node) (*integrations.Integration, error) {
	var c Config
	if err := integrations.Decode(node, &c); err != nil {
		return nil, err
	}
	var errs []error
	fail := func(at *yaml.Node, field, format string, args ...any) {
		errs = append(errs, integrations.Errorf(at, field, format, args...))
	}
	r := &request{header: http.Header{}, replays: c.ReplaysErrors}
	if c.BaseURL == "" {
		fail(node, "base_url", "is required")
	} else if u, err := integrations.BaseURL(node, c.BaseURL, ""); err != nil {
		errs = append(errs, err)
	} else {
		r.base = u
	}
	var secrets []string
	for _, name := range slices.Sorted(maps.Keys(c.Headers)) {
		v := c.Headers[name]
		if err := integrations.CheckHeader(name, v); err != nil {
			fail(integrations.Child(node, "headers", name), "headers", "%v", err)
			continue
		}
		r.header.Set(name, v)
		if integrations.Sensitive(name) {
			secrets = append(secrets, v)
		}
	}
	if a := c.Auth; a != nil {
		at := func(k string) *yaml.Node { return integrations.Child(node, "auth", k) }
		need := func(k, v string) bool {
			if v == "" {
				fail(at(k), "auth."+k, "is required for auth type %s", a.Type)
			}
			return v != ""
		}
		switch a.Type {
		case "bearer":
			if need("token", a.Token) {
				r.header.Set("Authorization", "Bearer "+a.Token)
				secrets = append(secrets, a.Token)
			}
		case "basic":
			if need("username", a.Username) && need("password", a.Password) {
				basic := integrations.BasicAuth(a.Username, a.Password)
				r.header.Set("Authorization", basic)
				secrets = append(secrets, a.Password, strings.TrimPrefix(basic, "Basic "))
			}
		case "header":
			if need("name", a.Name) && need("value", a.Value) {
				if err := integrations.CheckHeader(a.Name, a.Value); err != nil {
					fail(at("name"), "auth.name", "must be a header name without control characters in its value")
				}
				r.header.Set(a.Name, a.Value)
				r.secretHeader = http.CanonicalHeaderKey(a.Name)
				secrets = append(secrets, a.Value)
			}
		case "query":
			if need("name", a.Name) && need("value", a.Value) {
				r.query = url.Values{a.Name: {a.Value}}
				secrets = append(secrets, a.Value)
			}
		case "":
			fail(at("type"), "auth.type", "is required (one of: %s)", strings.Join(authTypes, ", "))
		default:
			fail(at("type"), "auth.type", "must be one of: %s", strings.Join(authTypes, ", "))
		}
	}
	var bearer *integrations.Auth
	if c.OAuth != nil {
		if c.Auth != nil {
			fail(integrations.Child(node, "oauth"), "oauth", "must not be set with auth: use one (a fixed credential, or oauth to have bearer tokens fetched)")
		}
		p := integrations.NewProblems(node)
		if tok := p.OAuth(c.OAuth, integrations.OAuthKind{Grants: []string{integrations.ClientCredentials, integrations.RefreshToken, integrations.JWTBearer}}); tok != nil {
			bearer = integrations.Bearer(tok)
			secrets = append(secrets, tok.Secrets()...)
		}
		if err := p.Err(); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return &integrations.Integration{
		Operations: map[string]integrations.Operation{"request": r},
		Auth:       bearer,
		Secrets:    secrets,
	}, nil
}
