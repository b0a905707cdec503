package discord

import (
	"fmt"
	"net/http"
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
//
// Required is empty: content or embeds is needed, which message checks.
var postMessage = &integrations.Op{
	Optional: []string{"content", "embeds", "username", "avatar_url", "thread_id", "allowed_mentions", "tts"},
	Build:    message,
	Output:   posted,
}

func message(w *integrations.In) (any, error) {
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
	if tts, set, err := w.Bool("tts"); err != nil {
		return nil, err
	} else if set {
		msg["tts"] = tts
	}
	w.Query.Set("wait", "true")
	thread, err := w.OptID("thread_id")
	if err != nil {
		return nil, err
	}
	if thread != "" {
		w.Query.Set("thread_id", thread)
	}
	return msg, nil
}

func posted(r *integrations.Response) (any, error) {
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
