package discord

import (
	"fmt"
	"net/http"
	"net/url"
	"unicode/utf8"

	"github.com/hookflow/hookflow/integrations"
)

// Discord's documented message limits.
const (
	maxContent = 2000
	maxEmbeds  = 10
)

// postMessage executes the webhook:
//
//	call: community.post_message
//	with:
//	  content: "Order ${{ payload.name }} shipped"   # content or embeds is required; ≤ 2000 characters
//	  embeds: [{title: "Order", description: "…"}]    # ≤ 10
//	  username: Shop bot                              # overrides the webhook's name
//	  avatar_url: https://…
//	  thread_id: "123"                                # post in a thread of a forum/text channel
//	  allowed_mentions: {parse: [users]}              # default: no pings at all
//
// POST {url}?wait=true so Discord answers with the message it created.
// Mentions in content (@everyone, <@id>) do not ping unless allowed_mentions
// says so: text from payloads must not page a whole server. A 429 carries
// retry_after (seconds) in its body, which sets the retry delay.
// Output: {id, channel_id}.
type postMessage struct{ hook *url.URL }

var _ integrations.Operation = (*postMessage)(nil)

// Required is empty: content or embeds is needed, which Request checks.
func (*postMessage) Required() []string { return nil }

func (p *postMessage) Request(c integrations.Call) (*integrations.Request, error) {
	w := integrations.With(c.Input)
	if err := w.Known("content", "embeds", "username", "avatar_url", "thread_id", "allowed_mentions", "tts"); err != nil {
		return nil, err
	}
	content, err := w.OptString("content")
	if err != nil {
		return nil, err
	}
	if n := utf8.RuneCountInString(content); n > maxContent {
		return nil, fmt.Errorf("with.content has %d characters; Discord takes at most %d", n, maxContent)
	}
	embeds, err := w.List("embeds")
	if err != nil {
		return nil, err
	}
	if len(embeds) > maxEmbeds {
		return nil, fmt.Errorf("with.embeds has %d embeds; Discord takes at most %d", len(embeds), maxEmbeds)
	}
	if content == "" && len(embeds) == 0 {
		return nil, fmt.Errorf("with.content is required (or with.embeds)")
	}
	msg := map[string]any{"content": content, "allowed_mentions": map[string]any{"parse": []any{}}}
	if embeds != nil {
		msg["embeds"] = embeds
	}
	for _, f := range []string{"username", "avatar_url"} {
		v, err := w.OptString(f)
		if err != nil {
			return nil, err
		}
		if v != "" {
			msg[f] = v
		}
	}
	if am, err := w.Map("allowed_mentions"); err != nil {
		return nil, err
	} else if am != nil {
		msg["allowed_mentions"] = am
	}
	if v, ok := c.Input["tts"]; ok && v != nil {
		b, isBool := v.(bool)
		if !isBool {
			return nil, fmt.Errorf("with.tts must be true or false, got %s", integrations.Describe(v))
		}
		msg["tts"] = b
	}
	u := *p.hook
	q := url.Values{"wait": {"true"}}
	thread, err := w.OptID("thread_id")
	if err != nil {
		return nil, err
	}
	if thread != "" {
		q.Set("thread_id", thread)
	}
	u.RawQuery = q.Encode()
	return integrations.JSONRequest(http.MethodPost, u.String(), nil, msg)
}

func (*postMessage) Output(r *integrations.Response) (any, error) {
	if r.Status == http.StatusNoContent || len(r.Body) == 0 {
		return map[string]any{}, nil
	}
	var m struct {
		ID        string `json:"id"`
		ChannelID string `json:"channel_id"`
	}
	if err := integrations.DecodeJSON(r, &m); err != nil {
		return nil, err
	}
	return map[string]any{"id": m.ID, "channel_id": m.ChannelID}, nil
}
