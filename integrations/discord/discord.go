// Package discord is the Discord kind: post_message executes a channel
// webhook.
//
// Checked against https://discord.com/developers/docs/resources/webhook#execute-webhook
// and https://discord.com/developers/docs/topics/rate-limits.
package discord

import (
	"net/url"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hookflow/hookflow/integrations"
)

// Config is the spec of `kind: discord`:
//
//	community:
//	  kind: discord
//	  url: ${DISCORD_WEBHOOK_URL}   # https://discord.com/api/webhooks/{id}/{token}
type Config struct {
	URL string `yaml:"url"`
}

var _ integrations.Constructor = New

// New builds a Discord integration from its configuration node.
func New(node *yaml.Node) (*integrations.Integration, error) {
	var c Config
	if err := integrations.Decode(node, &c); err != nil {
		return nil, err
	}
	at := integrations.Child(node, "url")
	u, err := url.Parse(c.URL)
	switch {
	case c.URL == "":
		return nil, integrations.Errorf(at, "url", "is required (the channel webhook URL, e.g. ${DISCORD_WEBHOOK_URL})")
	case err != nil || (u.Scheme != "https" && !(u.Scheme == "http" && integrations.Loopback(u))) || u.Host == "" || u.RawQuery != "" || u.Fragment != "":
		// The URL holds the webhook token: never quote it.
		return nil, integrations.Errorf(at, "url", "must be a webhook URL: https://discord.com/api/webhooks/{id}/{token}")
	}
	secrets := []string{c.URL}
	// The last path segment is the webhook's token.
	if i := strings.LastIndex(strings.TrimRight(u.Path, "/"), "/"); i >= 0 {
		secrets = append(secrets, strings.TrimRight(u.Path, "/")[i+1:])
	}
	api := &integrations.API{Base: u, Errors: classify}
	return &integrations.Integration{
		Operations: api.Operations(map[string]*integrations.Op{"post_message": postMessage}),
		Secrets:    secrets,
	}, nil
}
