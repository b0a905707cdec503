// Package sendgrid is the Twilio SendGrid kind: send_email through the v3
// Mail Send API with an API key.
//
// Checked against https://www.twilio.com/docs/sendgrid/api-reference/mail-send/mail-send
// and https://www.twilio.com/docs/sendgrid/api-reference/mail-send/errors.
package sendgrid

import (
	"net/mail"

	"gopkg.in/yaml.v3"

	"github.com/hookflow/hookflow/integrations"
)

// DefaultBaseURL is SendGrid's API host; EU-pinned subusers use
// https://api.eu.sendgrid.com.
const DefaultBaseURL = "https://api.sendgrid.com"

// Config is the spec of `kind: sendgrid`:
//
//	mail:
//	  kind: sendgrid
//	  api_key: ${SENDGRID_API_KEY}      # needs the mail.send permission
//	  from: orders@shop.example          # a verified sender; with.from overrides
//	  from_name: Acme Shop
//	  base_url: https://api.eu.sendgrid.com   # optional: EU region, proxies, tests
type Config struct {
	APIKey   string `yaml:"api_key"`
	From     string `yaml:"from"`
	FromName string `yaml:"from_name"`
	BaseURL  string `yaml:"base_url"`
}

var _ integrations.Constructor = New

// New builds a SendGrid integration from its configuration node.
func New(node *yaml.Node) (*integrations.Integration, error) {
	var c Config
	if err := integrations.Decode(node, &c); err != nil {
		return nil, err
	}
	problems := integrations.NewProblems(node)
	base := problems.Base(c.BaseURL, DefaultBaseURL, "", false)
	problems.Credential("api_key", c.APIKey, "a SendGrid API key with mail.send, e.g. ${SENDGRID_API_KEY}")
	if c.From != "" {
		if _, err := mail.ParseAddress(c.From); err != nil {
			problems.Field("from", "must be an email address")
		}
	}
	if err := problems.Err(); err != nil {
		return nil, err
	}
	api := &integrations.API{Base: base, Errors: classify}
	return &integrations.Integration{
		Operations: api.Operations(map[string]*integrations.Op{
			"send_email": sendEmail(c.From, c.FromName),
		}),
		Auth:    integrations.Bearer(integrations.StaticToken(c.APIKey)),
		Secrets: []string{c.APIKey},
	}, nil
}
