package telegram

import (
	"encoding/json"
	"fmt"
	"net/http"
	"unicode/utf8"

	"github.com/hookflow/hookflow/integrations"
)

// maxText is the Bot API's limit on a message's text, after entities
// are parsed.
const maxText = 4096

// sendMessage posts a text message:
//
//	call: alerts.send_message
//	with:
//	  text: "<b>Paid</b> order ${{ payload.name }}"   # required, ≤ 4096 characters
//	  chat_id: ${{ vars.ops_chat }}          # default: the integration's chat_id
//	  parse_mode: HTML                       # default: the integration's; HTML, MarkdownV2, Markdown
//	  disable_notification: true             # a silent message
//	  protect_content: true                  # no forwarding or saving
//	  link_preview: false                    # no preview of the first link
//	  message_thread_id: 42                  # a forum topic
//	  reply_markup: { inline_keyboard: [[{ text: Open, url: "https://shop.example/orders/${{ payload.id }}" }]] }
//
// POST /bot<token>/sendMessage with a JSON body. The Bot API has no
// idempotency key: a retry after a lost answer can post the message twice.
// Output: {id, message_id, chat_id, date}: id is the message_id.
func sendMessage(defaultChat, defaultMode string) *integrations.Op {
	return &integrations.Op{
		Path:     "sendMessage",
		Required: []string{"text"},
		Optional: []string{"chat_id", "parse_mode", "disable_notification", "protect_content", "link_preview", "message_thread_id", "reply_markup"},
		Build: func(in *integrations.In) (any, error) {
			text, err := in.String("text")
			if err != nil {
				return nil, err
			}
			if n := utf8.RuneCountInString(text); n > maxText {
				return nil, fmt.Errorf("with.text has %d characters; Telegram takes at most %d", n, maxText)
			}
			chat, err := chatID(in, defaultChat)
			if err != nil {
				return nil, err
			}
			body := map[string]any{"chat_id": chat, "text": text}
			mode, err := in.OneOf("parse_mode", parseModes...)
			if err != nil {
				return nil, err
			}
			if mode == "" && !in.Has("parse_mode") {
				mode = defaultMode
			}
			if mode != "" {
				body["parse_mode"] = mode
			}
			for _, f := range []string{"disable_notification", "protect_content", "link_preview"} {
				v, set, err := in.Bool(f)
				switch {
				case err != nil:
					return nil, err
				case set && f == "link_preview":
					body["link_preview_options"] = map[string]any{"is_disabled": !v}
				case set:
					body[f] = v
				}
			}
			if in.Has("message_thread_id") {
				id, err := in.Int("message_thread_id")
				if err != nil {
					return nil, err
				}
				body["message_thread_id"] = id
			}
			markup, err := in.Map("reply_markup")
			if err != nil {
				return nil, err
			}
			if markup != nil {
				body["reply_markup"] = markup
			}
			return body, nil
		},
		Output: sent,
	}
}

// answer is the Bot API's envelope: {"ok": true, "result": …} or
// {"ok": false, "error_code": 400, "description": "…", "parameters": {…}}.
type answer struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  struct {
		RetryAfter      int   `json:"retry_after"`
		MigrateToChatID int64 `json:"migrate_to_chat_id"`
	} `json:"parameters"`
}

// sent reads the sent Message.
func sent(r *integrations.Response) (any, error) {
	var a answer
	if err := integrations.DecodeJSON(r, &a); err != nil {
		return nil, err
	}
	var m struct {
		MessageID int64 `json:"message_id"`
		Date      int64 `json:"date"`
		Chat      struct {
			ID int64 `json:"id"`
		} `json:"chat"`
	}
	if !a.OK || json.Unmarshal(a.Result, &m) != nil || m.MessageID == 0 {
		return nil, &integrations.Error{Status: r.Status, Message: fmt.Sprintf("HTTP %d %s: Telegram: %s", r.Status, http.StatusText(r.Status), describe(a))}
	}
	return map[string]any{"id": m.MessageID, "message_id": m.MessageID, "chat_id": m.Chat.ID, "date": m.Date}, nil
}

func describe(a answer) string {
	if a.Description != "" {
		return a.Description
	}
	return "no message in the answer"
}
