// Package slack is the Slack kind: post_message through an incoming webhook
// URL, or through chat.postMessage with a bot token (any channel the bot is
// in).
//
// Checked against https://api.slack.com/messaging/webhooks and
// https://api.slack.com/methods/chat.postMessage.
package slack

import (
	"net/http"
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
	in := &integrations.Integration{}
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
		api := &integrations.API{Base: u, Errors: webhookError}
		in.Operations = api.Operations(map[string]*integrations.Op{"post_message": webhookMessage})
		// The path after /services/ is the webhook's secret.
		in.Secrets = []string{c.URL, strings.TrimPrefix(strings.TrimPrefix(u.EscapedPath(), "/"), "services/")}
		if c.Channel != "" {
			problems.Field("channel", "an incoming webhook posts to the channel it was created for; channel needs token (a bot token)")
		}
		if c.BaseURL != "" {
			problems.Field("base_url", "is for the bot token's Web API; an incoming webhook uses url")
		}
	default:
		problems.Credential("token", c.Token, "a bot token, xoxb-…")
		base := problems.Base(c.BaseURL, DefaultBaseURL, "", false)
		// Slack warns about JSON bodies sent without a charset.
		api := &integrations.API{Base: base, Header: http.Header{"Content-Type": {"application/json; charset=utf-8"}}}
		in.Operations = api.Operations(map[string]*integrations.Op{"post_message": chatPostMessage(c.Channel)})
		in.Auth = integrations.Bearer(integrations.StaticToken(c.Token))
		in.Secrets = []string{c.Token}
	}
	if err := problems.Err(); err != nil {
		return nil, err
	}
	return in, nil
}
