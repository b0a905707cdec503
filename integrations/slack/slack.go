// Package slack is the Slack kind: post_message through an incoming webhook
// URL, or through chat.postMessage with a bot token (any channel the bot is
// in).
//
// Checked against https://api.slack.com/messaging/webhooks and
// https://api.slack.com/methods/chat.postMessage.
package slack

import (
	"net/url"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hookflow/hookflow/integrations"
)

// DefaultBaseURL is where Slack's Web API methods live.
const DefaultBaseURL = "https://slack.com/api"

// Config is the spec of `kind: slack`: exactly one of url or token.
//
//	ops:
//	  kind: slack
//	  url: ${SLACK_WEBHOOK_URL}        # an incoming webhook: posts to its own channel
//
//	alerts:
//	  kind: slack
//	  token: ${SLACK_BOT_TOKEN}        # a bot token (xoxb-…) with chat:write
//	  channel: C0123456789             # default channel; with.channel overrides
//	  base_url: https://slack.com/api  # optional: proxies, tests
type Config struct {
	URL     string `yaml:"url"`
	Token   string `yaml:"token"`
	Channel string `yaml:"channel"`
	BaseURL string `yaml:"base_url"`
}

var _ integrations.Constructor = New

// New builds a Slack integration from its configuration node.
func New(node *yaml.Node) (*integrations.Integration, error) {
	var c Config
	if err := integrations.Decode(node, &c); err != nil {
		return nil, err
	}
	problems := integrations.NewProblems(node)
	op := &postMessage{channel: c.Channel}
	var secrets []string
	switch {
	case c.URL == "" && c.Token == "":
		problems.Add(integrations.Errorf(node, "", "needs url (an incoming webhook URL) or token (a bot token)"))
	case c.URL != "" && c.Token != "":
		problems.Field("token", "set url (incoming webhook) or token (bot token), not both: use two integrations")
	case c.URL != "":
		u, err := url.Parse(c.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			// The URL itself is a credential: never quote it.
			problems.Field("url", "must be an incoming webhook URL (https://hooks.slack.com/services/…)")
			break
		}
		op.webhook = u
		// The path after /services/ is the webhook's secret.
		secrets = append(secrets, c.URL, strings.TrimPrefix(strings.TrimPrefix(u.EscapedPath(), "/"), "services/"))
		if c.Channel != "" {
			problems.Field("channel", "an incoming webhook posts to the channel it was created for; channel needs token (a bot token)")
		}
		if c.BaseURL != "" {
			problems.Field("base_url", "is for the bot token's Web API; an incoming webhook uses url")
		}
	default:
		if integrations.CheckHeader("Authorization", c.Token) != nil {
			problems.Field("token", "must not contain control characters such as a line break")
		}
		base, err := integrations.BaseURL(node, c.BaseURL, DefaultBaseURL)
		if err != nil {
			problems.Add(err)
		}
		op.api, op.token = base, c.Token
		secrets = append(secrets, c.Token)
	}
	if err := problems.Err(); err != nil {
		return nil, err
	}
	return &integrations.Integration{
		Operations: map[string]integrations.Operation{"post_message": op},
		Secrets:    secrets,
	}, nil
}
