// Package teams is the Microsoft Teams kind: post_message sends an Adaptive
// Card to a channel or chat through a Teams Workflows ("Post to a channel
// when a webhook request is received") webhook URL.
//
// Checked against https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using
// (message with an Adaptive Card attachment) and https://adaptivecards.io/explorer/.
package teams

import (
	"net/url"

	"gopkg.in/yaml.v3"

	"github.com/hookflow/hookflow/integrations"
)

// Config is the spec of `kind: teams`:
//
//	team:
//	  kind: teams
//	  url: ${TEAMS_WEBHOOK_URL}   # the workflow's HTTP trigger URL (its sig= is the credential)
type Config struct {
	URL string `yaml:"url"`
}

var _ integrations.Constructor = New

// New builds a Teams integration from its configuration node.
func New(node *yaml.Node) (*integrations.Integration, error) {
	var c Config
	if err := integrations.Decode(node, &c); err != nil {
		return nil, err
	}
	u, err := url.Parse(c.URL)
	switch {
	case c.URL == "":
		return nil, integrations.Errorf(integrations.Child(node, "url"), "url", "is required (the Teams workflow's webhook URL, e.g. ${TEAMS_WEBHOOK_URL})")
	case err != nil || (u.Scheme != "https" && !(u.Scheme == "http" && integrations.Loopback(u))) || u.Host == "" || u.Fragment != "":
		// The URL carries its credential: never quote it.
		return nil, integrations.Errorf(integrations.Child(node, "url"), "url", "must be an https workflow webhook URL")
	}
	secrets := []string{c.URL}
	for k, vs := range u.Query() {
		if integrations.Sensitive(k) {
			secrets = append(secrets, vs...)
		}
	}
	api := &integrations.API{Base: u, Errors: classify}
	return &integrations.Integration{
		Operations: api.Operations(map[string]*integrations.Op{"post_message": postMessage}),
		Secrets:    secrets,
	}, nil
}
