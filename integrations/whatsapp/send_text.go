package whatsapp

import (
	"fmt"
	"unicode/utf8"

	"github.com/hookflow/hookflow/integrations"
)

// maxText is the Cloud API's limit on a text message's body.
const maxText = 4096

// sendText sends a text message, which WhatsApp delivers only within 24
// hours of the customer's last message to the business (else: a template):
//
//	call: wa.send_text
//	with:
//	  to: ${{ payload.customer.phone }}      # required: with country code
//	  text: "Your order ${{ payload.name }} has shipped"   # required, ≤ 4096 characters
//	  preview_url: true                      # a preview of the first link
//	  reply_to: ${{ payload.message_id }}    # a message to quote (wamid.…)
//	  phone_number_id: "106540352242922"     # default: the integration's
//
// POST /{version}/{phone_number_id}/messages. The Cloud API has no
// idempotency key: a retry after a lost answer can send the message twice.
// Output: {id, wa_id, message_status}: id is the message's wamid.
func sendText(from string) *integrations.Op {
	return &integrations.Op{
		Path:     "{phone_number_id}/messages",
		Required: []string{"to", "text"},
		Optional: []string{"preview_url", "reply_to", "phone_number_id"},
		Build: func(in *integrations.In) (any, error) {
			body, err := message(in, from, "text")
			if err != nil {
				return nil, err
			}
			text, err := in.String("text")
			if err != nil {
				return nil, err
			}
			if n := utf8.RuneCountInString(text); n > maxText {
				return nil, fmt.Errorf("with.text has %d characters; WhatsApp takes at most %d", n, maxText)
			}
			t := map[string]any{"body": text}
			preview, set, err := in.Bool("preview_url")
			if err != nil {
				return nil, err
			}
			if set {
				t["preview_url"] = preview
			}
			body["text"] = t
			return body, replyTo(in, body)
		},
		Output: sent,
	}
}

// replyTo quotes with.reply_to, a message id, as the message's context.
func replyTo(in *integrations.In, body map[string]any) error {
	id, err := in.OptString("reply_to")
	if err != nil || id == "" {
		return err
	}
	body["context"] = map[string]any{"message_id": id}
	return nil
}
