package integrations

import (
	"context"
	"encoding/base64"
	"errors"
	"net/url"
	"strings"
)

// Token is where a credential comes from: a configured value
// (StaticToken) or a source that fetches and caches one, such as an OAuth2
// token source. Set.Call asks for it as each request is sent, so a token
// never enters a Request an Operation builds, nor history.
type Token interface {
	Token(ctx context.Context) (string, error)
}

// Refresher is a Token that caches what it fetched. After a 401, Set.Call
// calls Refresh and repeats the request once with a fresh token.
type Refresher interface {
	Refresh()
}

// StaticToken is a credential written in the configuration.
type StaticToken string

// Token returns the configured value.
func (s StaticToken) Token(context.Context) (string, error) { return string(s), nil }

// Auth puts an integration's credential on each request as it is sent:
// where it goes (a header, basic auth, query parameters) is fixed by the
// kind; what it is comes from a Token. A Set's Build shows where it goes
// with a placeholder and never asks the Token.
type Auth struct {
	places []place
}

// place is one header, query parameter or path segment that carries a
// credential.
type place struct {
	header string // header name, or "" for a query parameter or path segment
	query  string
	path   *pathPlace
	format func(token string) string // nil: the token as it is
	token  Token
}

// pathPlace is a credential path segment, prefix+token, right below base
// (an escaped path without its trailing slash).
type pathPlace struct{ base, prefix string }

// Bearer sends "Authorization: Bearer <token>".
func Bearer(t Token) *Auth {
	return &Auth{places: []place{{header: "Authorization", format: func(s string) string { return "Bearer " + s }, token: t}}}
}

// HeaderAuth sends the token as it is in the named header
// (X-Shopify-Access-Token, x-api-token).
func HeaderAuth(name string, t Token) *Auth {
	return &Auth{places: []place{{header: name, token: t}}}
}

// Basic sends HTTP basic auth with user and the token as the password.
func Basic(user string, password Token) *Auth {
	return &Auth{places: []place{{header: "Authorization", format: func(s string) string { return BasicAuth(user, s) }, token: password}}}
}

// QueryAuth sends each token in a query parameter of its name, for vendors
// whose hosts may strip the Authorization header. Query parameters are
// recorded redacted, and their values are among the integration's Secrets.
func QueryAuth(params ...QueryParam) *Auth {
	a := &Auth{}
	for _, p := range params {
		a.places = append(a.places, place{query: p.Name, token: p.Token})
	}
	return a
}

// PathAuth puts the token in the URL path, as the segment prefix+token
// right below base's path: Telegram's /bot<token>/sendMessage. The token
// is escaped as one segment and refused if it could be more (see
// CheckSegment); a recorded URL shows prefix+"[redacted]". Keep the token
// among the integration's Secrets as well, so that it is redacted wherever
// else it could surface.
func PathAuth(base *url.URL, prefix string, t Token) *Auth {
	pp := &pathPlace{base: strings.TrimRight(base.EscapedPath(), "/"), prefix: prefix}
	return &Auth{places: []place{{path: pp, token: t}}}
}

// QueryParam is one credential query parameter.
type QueryParam struct {
	Name  string
	Token Token
}

// apply puts the credential on r. With preview set it writes a placeholder
// and asks no Token, so that Build never fetches a credential.
func (a *Auth) apply(ctx context.Context, r *Request, preview bool) error {
	if a == nil {
		return nil
	}
	var q url.Values
	for _, p := range a.places {
		v := redacted
		if !preview {
			tok, err := p.token.Token(ctx)
			if err != nil {
				return credentialError(err)
			}
			v = tok
		}
		if p.format != nil {
			v = p.format(v)
		}
		if p.path != nil {
			if err := p.path.apply(r, v, preview); err != nil {
				return err
			}
			continue
		}
		if p.header != "" {
			r.Header.Set(p.header, v)
			continue
		}
		if q == nil {
			u, err := url.Parse(r.URL)
			if err != nil {
				return err
			}
			q = u.Query()
		}
		q.Set(p.query, v)
	}
	if q != nil {
		u, _ := url.Parse(r.URL)
		u.RawQuery = q.Encode()
		r.URL = u.String()
	}
	return nil
}

// apply inserts the credential segment into r's URL. A placeholder is
// written as it is ("[redacted]" is legal in a path); a token is escaped.
func (p *pathPlace) apply(r *Request, v string, preview bool) error {
	u, err := url.Parse(r.URL)
	if err != nil {
		return err
	}
	rest, ok := strings.CutPrefix(u.EscapedPath(), p.base)
	if !ok || (rest != "" && rest[0] != '/') {
		return &Error{Message: "the request URL is not below the integration's base URL"}
	}
	seg := p.prefix + v
	if !preview {
		if CheckSegment(v) != nil {
			return &Error{Message: "the integration's credential cannot be sent as one URL path segment"}
		}
		seg = p.prefix + url.PathEscape(v)
	}
	raw := p.base + "/" + seg + rest
	plain, err := url.PathUnescape(raw)
	if err != nil {
		return err
	}
	u.Path, u.RawPath = plain, raw
	r.URL = u.String()
	return nil
}

// refresh drops every cached token; it reports whether any Token could.
func (a *Auth) refresh() bool {
	if a == nil {
		return false
	}
	did := false
	for _, p := range a.places {
		if r, ok := p.token.(Refresher); ok {
			r.Refresh()
			did = true
		}
	}
	return did
}

// credentialError classifies a Token that could not give a credential: its
// own *Error as it is, anything else as retryable (a token endpoint that is
// down comes back).
func credentialError(err error) *Error {
	if e, ok := errors.AsType[*Error](err); ok {
		return e
	}
	return &Error{Retryable: true, Message: "getting the integration's credential: " + err.Error()}
}

// BasicAuth is the Authorization header value for HTTP basic auth.
func BasicAuth(user, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
}
