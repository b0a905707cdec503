// Package discord is the Discord kind: post_message executes a channel
// webhook.
//
// Checked against https://discord.com/developers/docs/resources/webhook#execute-webhook
// and https://discord.com/developers/docs/topics/rate-limits.
package discord

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hookflow/hookflow/integrations"
)

// APIVersion is the Discord API version a webhook URL without one is sent
// to. From v8 on, retry_after is in seconds.
const APIVersion = "v10"

// versionRE splits a webhook path: prefix, /v{N}, N, /webhooks/{id}/{token}.
var versionRE = regexp.MustCompile(`^(.*/api)(/v(\d+))?(/webhooks/[^/]+/[^/]+/?)$`)

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
	// Discord routes a path without a version to its deprecated default
	// (v6), which answers rate limits in milliseconds: pin the current one.
	if m := versionRE.FindStringSubmatch(u.Path); m != nil {
		switch v, _ := strconv.Atoi(m[3]); {
		case m[2] == "":
			u.Path = m[1] + "/" + APIVersion + m[4]
			u.RawPath = ""
		case v < 8:
			return nil, integrations.Errorf(at, "url", "uses Discord API v%d, which is deprecated; use the URL without a version (hookflow pins %s) or with %s", v, APIVersion, APIVersion)
		}
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
