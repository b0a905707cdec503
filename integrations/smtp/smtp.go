// Package smtp is the SMTP kind: send_email through any mail server
// (a relay, Postfix, a provider's SMTP endpoint) with net/smtp, over
// STARTTLS or implicit TLS, with optional AUTH PLAIN, or AUTH XOAUTH2 with
// tokens from the shared OAuth layer (Microsoft 365, Google Workspace).
//
// It is not an HTTP operation: it implements integrations.Sender, so the Set
// hands it its SSRF-guarded dialer, and integrations.Previewer for
// `hookflow test`.
package smtp

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/mail"
	"os"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hookflow/hookflow/integrations"
	"github.com/hookflow/hookflow/internal/loopback"
)

// TLS modes.
const (
	StartTLS = "starttls" // plain connect, then STARTTLS, required (port 587)
	TLS      = "tls"      // implicit TLS from the first byte (port 465)
	None     = "none"     // no encryption: loopback hosts only
)

// Config is the spec of `kind: smtp`:
//
//	mailer:
//	  kind: smtp
//	  host: smtp.example.com         # required
//	  port: 587                      # default 587 (465 with tls: tls)
//	  tls: starttls                  # starttls (default, required of the server) | tls | none (loopback only)
//	  username: ${SMTP_USERNAME}     # AUTH PLAIN, with password; with oauth, the mailbox
//	  password: ${SMTP_PASSWORD}
//	  oauth:                         # instead of password: AUTH XOAUTH2 with fetched tokens
//	    grant: client_credentials    # Microsoft 365; Google: jwt_bearer (service_account, subject) or refresh_token
//	    token_url: https://login.microsoftonline.com/${MS_TENANT_ID}/oauth2/v2.0/token
//	    client_id: ${MS_CLIENT_ID}
//	    client_secret: ${MS_CLIENT_SECRET}
//	  from: orders@shop.example       # required: the envelope and From address
//	  helo: hookflow                 # the EHLO name; default hookflow
//	  tls_ca: /etc/hookflow/mail-ca.pem  # optional: PEM CA certificates to trust too (private CAs)
type Config struct {
	Host     string                    `yaml:"host"`
	Port     int                       `yaml:"port"`
	TLS      string                    `yaml:"tls"`
	Username string                    `yaml:"username"`
	Password string                    `yaml:"password"`
	OAuth    *integrations.OAuthConfig `yaml:"oauth"`
	From     string                    `yaml:"from"`
	Helo     string                    `yaml:"helo"`
	TLSCA    string                    `yaml:"tls_ca"`
}

var _ integrations.Constructor = New

// New builds an SMTP integration from its configuration node.
func New(node *yaml.Node) (*integrations.Integration, error) {
	var c Config
	if err := integrations.Decode(node, &c); err != nil {
		return nil, err
	}
	problems := integrations.NewProblems(node)
	switch {
	case c.Host == "":
		problems.Field("host", "is required (the mail server's host name, e.g. smtp.example.com)")
	case strings.ContainsAny(c.Host, ":/@ \t\r\n") && net.ParseIP(c.Host) == nil:
		problems.Field("host", "must be a host name or IP address, without scheme, port or credentials (the port is `port`)")
	}
	mode := c.TLS
	if mode == "" {
		mode = StartTLS
	}
	switch mode {
	case StartTLS, TLS:
	case None:
		if c.Host != "" && !loopback.Host(c.Host) {
			problems.Field("tls", "must be starttls or tls unless host is loopback (localhost, 127.0.0.1, ::1): none would send mail and credentials across the network in clear text")
		}
	default:
		problems.Field("tls", "must be one of: starttls, tls, none")
	}
	port := c.Port
	switch {
	case port == 0 && mode == TLS:
		port = 465
	case port == 0:
		port = 587
	case port < 1 || port > 65535:
		problems.Field("port", "must be between 1 and 65535")
	}
	var token integrations.Token
	var secrets []string
	switch {
	case c.OAuth != nil && c.Password != "":
		problems.Field("password", "must not be set with oauth: use one (AUTH PLAIN with a password, or XOAUTH2 with fetched tokens)")
	case c.OAuth != nil:
		if c.Username == "" {
			problems.Field("username", "is required with oauth: the mailbox XOAUTH2 signs in as (e.g. orders@acme.example)")
		}
		token, secrets = problems.Token("password", "", c.OAuth, oauthKind(c.Host), "")
	case c.Username != "" && c.Password == "":
		problems.Field("password", "is required with username (e.g. ${SMTP_PASSWORD}), or oauth for XOAUTH2")
	case c.Password != "" && c.Username == "":
		problems.Field("username", "is required with password")
	}
	for _, f := range []struct{ name, v string }{{"username", c.Username}, {"password", c.Password}} {
		if strings.ContainsAny(f.v, "\x00\r\n") {
			problems.Field(f.name, "must not contain a line break or NUL")
		}
	}
	var from string
	if c.From == "" {
		problems.Field("from", "is required (the sender address, e.g. orders@shop.example)")
	} else if a, err := mail.ParseAddress(c.From); err != nil {
		problems.Field("from", "must be an email address")
	} else {
		from = a.String()
	}
	helo := c.Helo
	if helo == "" {
		helo = "hookflow"
	} else if strings.ContainsAny(helo, " \t\r\n") {
		problems.Field("helo", "must be a single host name, without spaces")
	}
	var roots *x509.CertPool
	if c.TLSCA != "" {
		if mode == None {
			problems.Field("tls_ca", "needs tls: starttls or tls")
		} else if pem, err := os.ReadFile(c.TLSCA); err != nil {
			problems.Field("tls_ca", "cannot be read: %v", errors.Unwrap(err))
		} else {
			roots, err = x509.SystemCertPool()
			if err != nil || roots == nil {
				roots = x509.NewCertPool()
			}
			if !roots.AppendCertsFromPEM(pem) {
				problems.Field("tls_ca", "must be a PEM file of CA certificates")
			}
		}
	}
	if err := problems.Err(); err != nil {
		return nil, err
	}
	s := &server{
		host: c.Host, addr: net.JoinHostPort(c.Host, strconv.Itoa(port)), mode: mode,
		username: c.Username, password: c.Password, token: token, helo: helo,
		tls: &tls.Config{ServerName: c.Host, RootCAs: roots, MinVersion: tls.VersionTLS12},
	}
	s.from, _ = mail.ParseAddress(from)
	in := &integrations.Integration{
		Operations: map[string]integrations.Operation{
			"send_email": &sendEmail{s: s},
		},
		Secrets: append(integrations.Secrets(c.Password, c.Username), secrets...),
	}
	if token != nil {
		in.Credentials = []integrations.Token{token}
	}
	return in, nil
}

// oauthKind is what XOAUTH2 takes; the scope is defaulted for the two
// providers that document SMTP with OAuth.
func oauthKind(host string) integrations.OAuthKind {
	k := integrations.OAuthKind{Grants: []string{integrations.ClientCredentials, integrations.RefreshToken, integrations.JWTBearer}}
	switch strings.ToLower(host) {
	case "smtp.office365.com", "smtp-mail.outlook.com":
		k.Scopes = []string{"https://outlook.office365.com/.default"}
	case "smtp.gmail.com":
		k.Scopes = []string{"https://mail.google.com/"}
	}
	return k
}

// server is the configured mail server, shared by the operations.
type server struct {
	host, addr, mode   string
	username, password string
	token              integrations.Token // XOAUTH2, instead of password
	helo               string
	from               *mail.Address
	tls                *tls.Config
}
