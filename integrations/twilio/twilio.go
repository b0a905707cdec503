// Package twilio is the Twilio kind: send_sms creates a Message through the
// Programmable Messaging REST API, authenticated with the account SID and
// auth token (or an API key and secret).
//
// Checked against https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource
// and https://www.twilio.com/docs/usage/twilios-response (errors).
package twilio

import (
	"net/url"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hookflow/hookflow/integrations"
)

// DefaultBaseURL is Twilio's REST API host.
const DefaultBaseURL = "https://api.twilio.com"

// Config is the spec of `kind: twilio`:
//
//	sms:
//	  kind: twilio
//	  account_sid: ${TWILIO_ACCOUNT_SID}    # AC…
//	  auth_token: ${TWILIO_AUTH_TOKEN}      # or api_key_sid + api_key_secret
//	  from: "+15557654321"                  # default sender; or messaging_service_sid
//	  messaging_service_sid: MG…
//	  base_url: https://api.twilio.com      # optional: regional edges, proxies, tests
type Config struct {
	AccountSID          string `yaml:"account_sid"`
	AuthToken           string `yaml:"auth_token"`
	APIKeySID           string `yaml:"api_key_sid"`
	APIKeySecret        string `yaml:"api_key_secret"`
	From                string `yaml:"from"`
	MessagingServiceSID string `yaml:"messaging_service_sid"`
	BaseURL             string `yaml:"base_url"`
}

var sidRE = regexp.MustCompile(`^AC[0-9a-fA-F]{32}$`)

var _ integrations.Constructor = New

// New builds a Twilio integration from its configuration node.
func New(node *yaml.Node) (*integrations.Integration, error) {
	var c Config
	if err := integrations.Decode(node, &c); err != nil {
		return nil, err
	}
	problems := integrations.NewProblems(node)
	base := problems.Base(c.BaseURL, DefaultBaseURL, "", false)
	if !sidRE.MatchString(c.AccountSID) {
		problems.Field("account_sid", "must be the Account SID: AC followed by 32 hex digits (e.g. ${TWILIO_ACCOUNT_SID})")
	}
	user, pass := c.AccountSID, c.AuthToken
	switch {
	case c.AuthToken != "" && (c.APIKeySID != "" || c.APIKeySecret != ""):
		problems.Field("auth_token", "set auth_token or api_key_sid with api_key_secret, not both")
	case c.AuthToken != "":
	case c.APIKeySID != "" && c.APIKeySecret != "":
		user, pass = c.APIKeySID, c.APIKeySecret
	case c.APIKeySID != "" || c.APIKeySecret != "":
		problems.Field("api_key_secret", "api_key_sid and api_key_secret go together")
	default:
		problems.Field("auth_token", "is required (or api_key_sid with api_key_secret)")
	}
	if c.From != "" && c.MessagingServiceSID != "" {
		problems.Field("messaging_service_sid", "set from or messaging_service_sid, not both")
	}
	if err := problems.Err(); err != nil {
		return nil, err
	}
	// Messages are created under the account, whichever credential is used.
	account, _ := url.Parse(integrations.URL(base, "2010-04-01", "Accounts", c.AccountSID))
	api := &integrations.API{Base: account, Errors: classify}
	return &integrations.Integration{
		Operations: api.Operations(map[string]*integrations.Op{
			"send_sms": sendSMS(c.From, c.MessagingServiceSID),
		}),
		Auth: integrations.Basic(user, integrations.StaticToken(pass)),
		// The basic auth value too, in case an error echoes the header.
		Secrets: integrations.Secrets(c.AuthToken, c.APIKeySecret, strings.TrimPrefix(integrations.BasicAuth(user, pass), "Basic ")),
	}, nil
}
