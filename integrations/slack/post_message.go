package slack

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/hookflow/hookflow/integrations"
)

// Slack's documented limits: a message has at most 50 blocks; text longer
// than 40,000 characters is truncated by Slack.
const maxBlocks = 50

// postMessage posts a message:
//
//	call: ops.post_message
//	with:
//	  text: "Order ${{ payload.name }} paid"   # required; the notification fallback when blocks are set
//	  blocks: [ … ]                            # Block Kit blocks, at most 50
//	  channel: C0123456789                     # bot token only; default: the integration's channel
//	  thread_ts: ${{ steps.first.output.ts }}  # reply in a thread
//	  unfurl_links: false
//	  unfurl_media: false
//
// With an incoming webhook it is a POST of {text, blocks, …} to the URL,
// answered "ok". With a bot token it is chat.postMessage, which answers 200
// even on failure: {"ok": false, "error": "channel_not_found"} is a
// permanent failure, "ratelimited" and Slack's internal errors retry.
// Output: {ok, channel, ts, id} (id is the message ts; webhook: {ok}).
type postMessage struct {
	webhook *url.URL // incoming webhook mode

	api     *url.URL // bot token mode
	token   string
	channel string
}

var _ integrations.Operation = (*postMessage)(nil)

func (*postMessage) Required() []string { return []string{"text"} }

func (p *postMessage) Request(c integrations.Call) (*integrations.Request, error) {
	w := integrations.With(c.Input)
	if err := w.Known("text", "blocks", "channel", "thread_ts", "unfurl_links", "unfurl_media"); err != nil {
		return nil, err
	}
	text, err := w.String("text")
	if err != nil {
		return nil, err
	}
	msg := map[string]any{"text": text}
	blocks, err := w.List("blocks")
	if err != nil {
		return nil, err
	}
	if len(blocks) > maxBlocks {
		return nil, fmt.Errorf("with.blocks has %d blocks; Slack takes at most %d", len(blocks), maxBlocks)
	}
	if blocks != nil {
		msg["blocks"] = blocks
	}
	if ts, err := w.OptString("thread_ts"); err != nil {
		return nil, err
	} else if ts != "" {
		msg["thread_ts"] = ts
	}
	for _, f := range []string{"unfurl_links", "unfurl_media"} {
		switch v := c.Input[f].(type) {
		case nil:
		case bool:
			msg[f] = v
		default:
			return nil, fmt.Errorf("with.%s must be true or false, got %s", f, integrations.Describe(v))
		}
	}
	channel, err := w.OptString("channel")
	if err != nil {
		return nil, err
	}
	if p.webhook != nil {
		if channel != "" {
			return nil, fmt.Errorf("with.channel: an incoming webhook posts to the channel it was created for; configure a bot token to choose the channel")
		}
		return integrations.JSONRequest(http.MethodPost, p.webhook.String(), nil, msg)
	}
	channel = strings.TrimSpace(channel)
	if channel == "" {
		channel = p.channel
	}
	if channel == "" {
		return nil, fmt.Errorf("with.channel is required (the integration sets no default channel)")
	}
	msg["channel"] = channel
	h := http.Header{}
	h.Set("Authorization", "Bearer "+p.token)
	req, err := integrations.JSONRequest(http.MethodPost, integrations.URL(p.api, "chat.postMessage"), h, msg)
	if err == nil {
		// Slack warns about JSON bodies sent without a charset.
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	return req, err
}

func (p *postMessage) Output(r *integrations.Response) (any, error) {
	if p.webhook != nil {
		// An incoming webhook answers 200 with the text "ok".
		return map[string]any{"ok": true}, nil
	}
	var res struct {
		OK      bool   `json:"ok"`
		Error   string `json:"error"`
		Needed  string `json:"needed"`
		Channel string `json:"channel"`
		TS      string `json:"ts"`
	}
	if err := integrations.DecodeJSON(r, &res); err != nil {
		return nil, err
	}
	if !res.OK {
		return nil, apiError(r, res.Error, res.Needed)
	}
	return map[string]any{"ok": true, "channel": res.Channel, "ts": res.TS, "id": res.TS}, nil
}

func (p *postMessage) Classify(r *integrations.Response, e *integrations.Error) *integrations.Error {
	if p.webhook != nil {
		return webhookError(r, e)
	}
	return e
}
