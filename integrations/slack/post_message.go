package slack

import (
	"fmt"
	"strings"

	"github.com/hookflow/hookflow/integrations"
)

// Slack's documented limits: a message has at most 50 blocks; text longer
// than 40,000 characters is truncated by Slack.
const maxBlocks = 50

// post_message posts a message:
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
//
// fields are what it takes besides text.
var fields = []string{"blocks", "channel", "thread_ts", "unfurl_links", "unfurl_media"}

// webhookMessage posts through an incoming webhook.
var webhookMessage = &integrations.Op{
	Required: []string{"text"},
	Optional: fields,
	Build: func(in *integrations.In) (any, error) {
		if in.Has("channel") {
			return nil, fmt.Errorf("with.channel: an incoming webhook posts to the channel it was created for; configure a bot token to choose the channel")
		}
		return message(in)
	},
	Output: func(*integrations.Response) (any, error) {
		// An incoming webhook answers 200 with the text "ok".
		return map[string]any{"ok": true}, nil
	},
}

// chatPostMessage posts with a bot token, to with.channel or the default.
func chatPostMessage(defaultChannel string) *integrations.Op {
	return &integrations.Op{
		Path:     "chat.postMessage",
		Required: []string{"text"},
		Optional: fields,
		Build: func(in *integrations.In) (any, error) {
			msg, err := message(in)
			if err != nil {
				return nil, err
			}
			channel, err := in.OptString("channel")
			if err != nil {
				return nil, err
			}
			channel = strings.TrimSpace(channel)
			if channel == "" {
				channel = defaultChannel
			}
			if channel == "" {
				return nil, fmt.Errorf("with.channel is required (the integration sets no default channel)")
			}
			msg["channel"] = channel
			return msg, nil
		},
		Output: posted,
	}
}

// message reads what both ways of posting send.
func message(w *integrations.In) (map[string]any, error) {
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
		if v, set, err := w.Bool(f); err != nil {
			return nil, err
		} else if set {
			msg[f] = v
		}
	}
	return msg, nil
}

// posted reads chat.postMessage's answer, which is 200 even on failure.
func posted(r *integrations.Response) (any, error) {
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
