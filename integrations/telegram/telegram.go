// Package telegram is the Telegram kind: send_message posts a bot's
// message to a chat, group or channel through the Bot API, with the bot
// token in the path (https://api.telegram.org/bot<token>/sendMessage), put
// there only as the request is sent and never recorded.
//
// Checked on 2026-11-29 against https://core.telegram.org/bots/api
// (Bot API 10.3, 2026-08-24): "Making requests", sendMessage,
// ResponseParameters (retry_after, migrate_to_chat_id) and "Formatting
// options". The Bot API has no version in its URL: it only adds.
package telegram

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hookflow/hookflow/integrations"
)

// DefaultBaseURL is the Bot API's host; a local Bot API server is another.
const DefaultBaseURL = "https://api.telegram.org"

// Config is the spec of `kind: telegram`:
//
//	alerts:
//	  kind: telegram
//	  token: ${TELEGRAM_BOT_TOKEN}        # from @BotFather: 123456789:AA…
//	  chat_id: "-1001234567890"           # optional: the default chat, or @channelusername
//	  parse_mode: HTML                    # optional default: HTML, MarkdownV2 or Markdown
//	  base_url: https://api.telegram.org  # optional: a local Bot API server, tests
type Config struct {
	Token     string `yaml:"token"`
	ChatID    string `yaml:"chat_id"`
	ParseMode string `yaml:"parse_mode"`
	BaseURL   string `yaml:"base_url"`
}

var (
	// A bot token is the bot's id, a colon and a secret: one path segment.
	tokenRE = regexp.MustCompile(`^[0-9]+:[A-Za-z0-9_-]+$`)
	chatRE  = regexp.MustCompile(`^(-?[0-9]+|@[A-Za-z][A-Za-z0-9_]{3,})$`)
	// Markdown is the legacy mode, kept by Telegram for old bots.
	parseModes = []string{"HTML", "MarkdownV2", "Markdown"}
)

var _ integrations.Constructor = New

// New builds a Telegram integration from its configuration node.
func New(node *yaml.Node) (*integrations.Integration, error) {
	var c Config
	if err := integrations.Decode(node, &c); err != nil {
		return nil, err
	}
	p := integrations.NewProblems(node)
	base := p.Base(c.BaseURL, DefaultBaseURL, "", true)
	p.Credential("token", c.Token, "the bot token from @BotFather, e.g. ${TELEGRAM_BOT_TOKEN}")
	if c.Token != "" && !tokenRE.MatchString(c.Token) {
		// Never quote it: it is the bot's whole credential.
		p.Field("token", "must be a bot token as @BotFather gives it: digits, a colon, then letters, digits, - and _")
	}
	if c.ChatID != "" && !chatRE.MatchString(c.ChatID) {
		p.Field("chat_id", "must be a chat id (a number such as -1001234567890) or a channel's @username")
	}
	if c.ParseMode != "" && !slices.Contains(parseModes, c.ParseMode) {
		p.Field("parse_mode", "must be one of %s", strings.Join(parseModes, ", "))
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	api := &integrations.API{Base: base, Errors: classify}
	return &integrations.Integration{
		Operations: api.Operations(map[string]*integrations.Op{
			"send_message": sendMessage(c.ChatID, c.ParseMode),
		}),
		Auth:    integrations.PathAuth(base, "bot", integrations.StaticToken(c.Token)),
		Secrets: []string{c.Token},
	}, nil
}

// chatID is a chat id as the Bot API takes it: an integer, or a channel's
// @username as a string.
func chatID(in *integrations.In, def string) (any, error) {
	s, ok := integrations.Scalar(in.With["chat_id"])
	if !in.Has("chat_id") {
		s, ok = def, true
	}
	s = strings.TrimSpace(s)
	switch {
	case !ok:
		return nil, fmt.Errorf("with.chat_id must be a chat id or @username, got %s", integrations.Describe(in.With["chat_id"]))
	case s == "":
		return nil, fmt.Errorf("with.chat_id is required (or set chat_id on the integration)")
	case !chatRE.MatchString(s):
		return nil, fmt.Errorf("with.chat_id must be a chat id (a number such as -1001234567890) or a channel's @username")
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	return s, nil
}
