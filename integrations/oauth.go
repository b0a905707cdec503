package integrations

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
	"golang.org/x/oauth2/google"
	"golang.org/x/oauth2/jwt"
)

// The OAuth 2.0 grants an `oauth:` setting can name.
const (
	// ClientCredentials: the app's client id and secret buy a token
	// (RFC 6749 §4.4; Shopify Dev Dashboard apps, Microsoft 365).
	ClientCredentials = "client_credentials"
	// RefreshToken: a long-lived refresh token buys access tokens
	// (RFC 6749 §6; Salesforce, Google user consent).
	RefreshToken = "refresh_token"
	// JWTBearer: an assertion signed with the app's private key buys a
	// token (RFC 7523; Salesforce connected apps, Google service accounts).
	JWTBearer = "jwt_bearer"
)

// OAuthConfig is the `oauth:` setting of a kind that takes managed tokens,
// instead of a static `token`:
//
//	oauth:
//	  grant: client_credentials           # client_credentials | refresh_token | jwt_bearer
//	  token_url: https://login.example.com/oauth2/token   # the kind may default it
//	  client_id: ${CLIENT_ID}             # jwt_bearer: the assertion's issuer
//	  client_secret: ${CLIENT_SECRET}     # client_credentials (required), refresh_token
//	  scopes: [api]                       # the kind may default them
//	  refresh_token: ${REFRESH_TOKEN}     # refresh_token
//	  private_key: ${PRIVATE_KEY}         # jwt_bearer: an RSA key, PEM
//	  key_id: k1                          # jwt_bearer: optional "kid"
//	  subject: integration@acme.example   # jwt_bearer: the user to act as
//	  audience: https://login.salesforce.com   # jwt_bearer: default per kind, else token_url
//	  service_account: ${GOOGLE_SERVICE_ACCOUNT_JSON}  # jwt_bearer: a Google key file instead of client_id + private_key
//	  auth_style: params                  # how the client secret is sent: params (form body) or header (basic auth); default: try header, then params
//
// The worker fetches tokens when a call needs one, through the same
// SSRF-guarded client as every call, caches them per integration, fetches
// a new one before the old expires and once after a 401, and redacts every
// token it fetched from what it records.
type OAuthConfig struct {
	Grant          string   `yaml:"grant"`
	TokenURL       string   `yaml:"token_url"`
	ClientID       string   `yaml:"client_id"`
	ClientSecret   string   `yaml:"client_secret"`
	Scopes         []string `yaml:"scopes"`
	RefreshToken   string   `yaml:"refresh_token"`
	PrivateKey     string   `yaml:"private_key"`
	KeyID          string   `yaml:"key_id"`
	Subject        string   `yaml:"subject"`
	Audience       string   `yaml:"audience"`
	ServiceAccount string   `yaml:"service_account"`
	AuthStyle      string   `yaml:"auth_style"`
}

// OAuthKind is what a kind says about the tokens it takes.
type OAuthKind struct {
	// Grants the kind takes; the first is the default when `grant` is unset.
	Grants []string
	// TokenURL is the default token_url ("": required).
	TokenURL string
	// Scopes are the default scopes.
	Scopes []string
	// Audience is the default JWT audience ("": the token URL).
	Audience string
	// Subject: jwt_bearer needs `subject` (Salesforce: the user to act as).
	Subject bool
	// Assertion is how long a JWT assertion is valid; 0: one hour
	// (Salesforce takes at most 3 minutes).
	Assertion time.Duration
	// AuthStyle is the default auth_style ("": auto-detect).
	AuthStyle string
}

// oauthFields are the `oauth:` fields each grant takes, besides grant,
// token_url, scopes and auth_style.
var oauthFields = map[string][]string{
	ClientCredentials: {"client_id", "client_secret"},
	RefreshToken:      {"client_id", "client_secret", "refresh_token"},
	JWTBearer:         {"client_id", "private_key", "key_id", "subject", "audience", "service_account"},
}

// Token reads a kind's credential: a static token in field (the
// token as it is, e.g. ${SHOPIFY_TOKEN}), or managed tokens from `oauth`
// (nil: not set); exactly one is required. why says what the static token
// is. It returns the Token, and the configured secrets for
// Integration.Secrets; nil when there is a problem.
func (p *Problems) Token(field, token string, oauth *OAuthConfig, k OAuthKind, why string) (Token, []string) {
	switch {
	case token != "" && oauth != nil:
		p.Field(field, "must not be set with oauth: use one (a static token, or oauth to have tokens fetched)")
		return nil, nil
	case oauth != nil:
		o := p.OAuth(oauth, k)
		if o == nil {
			return nil, nil
		}
		return o, o.secrets
	case token == "":
		p.Field(field, "is required (%s), or oauth (%s) to have tokens fetched", why, strings.Join(k.Grants, ", "))
		return nil, nil
	case CheckHeader("Authorization", token) != nil:
		p.Field(field, "must not contain control characters such as a line break")
		return nil, nil
	}
	return StaticToken(token), []string{token}
}

// OAuth checks an `oauth:` setting against what the kind takes, each
// problem at its line, and returns the token source; nil when there is a
// problem.
func (p *Problems) OAuth(c *OAuthConfig, k OAuthKind) *OAuth {
	before := len(p.errs)
	fail := func(key, format string, args ...any) {
		field := "oauth"
		at := Child(p.node, "oauth")
		if key != "" {
			field += "." + key
			at = Child(p.node, "oauth", key)
		}
		p.errs = append(p.errs, Errorf(at, field, format, args...))
	}
	set := map[string]string{
		"client_id": c.ClientID, "client_secret": c.ClientSecret, "refresh_token": c.RefreshToken,
		"private_key": c.PrivateKey, "key_id": c.KeyID, "subject": c.Subject, "audience": c.Audience,
		"service_account": c.ServiceAccount,
	}
	grant := c.Grant
	if grant == "" && len(k.Grants) > 0 {
		grant = k.Grants[0]
	}
	if !slices.Contains(k.Grants, grant) {
		fail("grant", "must be one of: %s", strings.Join(k.Grants, ", "))
		return nil
	}
	for _, name := range slices.Sorted(maps.Keys(set)) {
		v := set[name]
		if v != "" && !slices.Contains(oauthFields[grant], name) {
			fail(name, "is not used by grant %s (it takes: %s)", grant, strings.Join(oauthFields[grant], ", "))
		}
		if name != "private_key" && name != "service_account" && strings.ContainsAny(v, "\x00\r\n") {
			fail(name, "must not contain a line break or NUL")
		}
	}
	tokenURL := c.TokenURL
	if tokenURL == "" {
		tokenURL = k.TokenURL
	}
	var sa *jwt.Config
	if grant == JWTBearer && c.ServiceAccount != "" {
		var err error
		if sa, err = google.JWTConfigFromJSON([]byte(c.ServiceAccount)); err != nil {
			fail("service_account", "must be a Google service-account key (the JSON file's content, e.g. ${GOOGLE_SERVICE_ACCOUNT_JSON}): %s", strings.TrimPrefix(err.Error(), "google: "))
			return nil
		}
		if c.TokenURL == "" && sa.TokenURL != "" { // the key file's token_uri
			tokenURL = sa.TokenURL
		}
	}
	switch u, err := url.Parse(tokenURL); {
	case tokenURL == "":
		fail("token_url", "is required: the provider's token endpoint, e.g. https://login.example.com/oauth2/token")
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
		fail("token_url", "must be an absolute https URL")
	case u.Scheme == "http" && !Loopback(u):
		fail("token_url", "must be https: client credentials are sent to it")
	case u.User != nil:
		fail("token_url", "must not contain credentials; use client_id and client_secret")
	case u.Fragment != "":
		fail("token_url", "must not have a #fragment")
	}
	for i, s := range c.Scopes {
		if s == "" || strings.ContainsAny(s, " \t\r\n\"\\") {
			fail("scopes", "scopes[%d] must be one scope without spaces", i)
		}
	}
	scopes := c.Scopes
	if scopes == nil {
		scopes = k.Scopes
	}
	style := c.AuthStyle
	if style == "" {
		style = k.AuthStyle
	}
	var authStyle oauth2.AuthStyle
	switch style {
	case "":
		authStyle = oauth2.AuthStyleAutoDetect
	case "params":
		authStyle = oauth2.AuthStyleInParams
	case "header":
		authStyle = oauth2.AuthStyleInHeader
	default:
		fail("auth_style", "must be params (client secret in the form body) or header (basic auth)")
	}
	if grant == JWTBearer && c.AuthStyle != "" {
		fail("auth_style", "is not used by grant jwt_bearer (the signed assertion is the credential)")
	}

	o := &OAuth{grant: grant, endpoint: tokenURL}
	switch grant {
	case ClientCredentials:
		if c.ClientID == "" {
			fail("client_id", "is required by grant client_credentials")
		}
		if c.ClientSecret == "" {
			fail("client_secret", "is required by grant client_credentials (e.g. ${CLIENT_SECRET})")
		}
		cc := &clientcredentials.Config{ClientID: c.ClientID, ClientSecret: c.ClientSecret, TokenURL: tokenURL, Scopes: scopes, AuthStyle: authStyle}
		o.fetch = cc.Token
		o.secrets = Secrets(c.ClientSecret)
	case RefreshToken:
		if c.RefreshToken == "" {
			fail("refresh_token", "is required by grant refresh_token (e.g. ${REFRESH_TOKEN})")
		}
		if c.ClientID == "" {
			fail("client_id", "is required by grant refresh_token")
		}
		o.conf = &oauth2.Config{ClientID: c.ClientID, ClientSecret: c.ClientSecret, Scopes: scopes,
			Endpoint: oauth2.Endpoint{TokenURL: tokenURL, AuthStyle: authStyle}}
		o.refresh = c.RefreshToken
		o.fetch = o.refreshed
		o.secrets = Secrets(c.ClientSecret, c.RefreshToken)
	case JWTBearer:
		cfg := sa
		switch {
		case sa != nil && (c.ClientID != "" || c.PrivateKey != ""):
			fail("service_account", "replaces client_id and private_key: set one or the others")
		case sa != nil:
			cfg.TokenURL, cfg.Scopes = tokenURL, scopes
		default:
			if c.ClientID == "" {
				fail("client_id", "is required by grant jwt_bearer (the assertion's issuer: the connected app's consumer key, or a service account's email), or set service_account")
			}
			key, err := privateKey(c.PrivateKey)
			if err != nil {
				fail("private_key", "%s", err)
			}
			cfg = &jwt.Config{Email: c.ClientID, PrivateKey: key, PrivateKeyID: c.KeyID, TokenURL: tokenURL, Scopes: scopes}
		}
		if c.Subject == "" && k.Subject {
			fail("subject", "is required by grant jwt_bearer: the username the integration acts as")
		}
		if len(p.errs) > before {
			return nil
		}
		cfg.Subject, cfg.Expires = c.Subject, k.Assertion
		cfg.Audience = c.Audience
		if cfg.Audience == "" {
			cfg.Audience = k.Audience
		}
		// A source per fetch: each fetch uses its call's context and client.
		o.fetch = func(ctx context.Context) (*oauth2.Token, error) { return cfg.TokenSource(ctx).Token() }
		o.secrets = Secrets(string(cfg.PrivateKey))
	}
	if len(p.errs) > before {
		return nil
	}
	return o
}

// privateKey reads an RSA private key in PEM (PKCS #1 or #8). A key from an
// environment variable often has its line breaks written as \n.
func privateKey(s string) ([]byte, error) {
	if s == "" {
		return nil, fmt.Errorf("is required by grant jwt_bearer: an RSA private key in PEM, e.g. ${PRIVATE_KEY}")
	}
	if !strings.Contains(s, "\n") {
		s = strings.ReplaceAll(s, `\n`, "\n")
	}
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		return nil, fmt.Errorf("must be a PEM private key (-----BEGIN PRIVATE KEY----- …)")
	}
	if _, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return []byte(s), nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("must be an unencrypted RSA private key in PEM (PKCS #1 or #8)")
	}
	if _, ok := k.(*rsa.PrivateKey); !ok {
		return nil, fmt.Errorf("must be an RSA key: JWT bearer assertions are signed RS256")
	}
	return []byte(s), nil
}
