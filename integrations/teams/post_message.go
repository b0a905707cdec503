package teams

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"strings"

	"github.com/hookflow/hookflow/integrations"
)

// postMessage posts an Adaptive Card:
//
//	call: team.post_message
//	with:
//	  title: "VIP order"                    # optional heading
//	  text: "Order ${{ payload.name }} paid" # text or card is required
//	  card: { type: AdaptiveCard, body: [ … ] }   # a full Adaptive Card instead
//
// The body is {"type": "message", "attachments": [{"contentType":
// "application/vnd.microsoft.card.adaptive", "content": card}]}. With text
// (and title) the card is built: TextBlocks with wrap on, schema version
// 1.4. Workflows answer 202 Accepted with no body. Output: {accepted: true}.
var postMessage = &integrations.Op{
	Optional: []string{"text", "title", "card"},
	Build:    message,
	Output: func(*integrations.Response) (any, error) {
		return map[string]any{"accepted": true}, nil
	},
}

const (
	cardType    = "application/vnd.microsoft.card.adaptive"
	cardSchema  = "http://adaptivecards.io/schemas/adaptive-card.json"
	cardVersion = "1.4"
	// Teams rejects messages over about 28 KB.
	maxMessage = 28 << 10
)

// message is the card message. No field is required: either text or card
// is needed, which it checks.
func message(w *integrations.In) (any, error) {
	text, err := w.OptString("text")
	if err != nil {
		return nil, err
	}
	title, err := w.OptString("title")
	if err != nil {
		return nil, err
	}
	card, err := w.Map("card")
	if err != nil {
		return nil, err
	}
	switch {
	case card != nil && (text != "" || title != ""):
		return nil, fmt.Errorf("with.card: give either a card or text (and title), not both")
	case card != nil:
		card = maps.Clone(card)
		if t, ok := card["type"]; ok && t != "AdaptiveCard" {
			return nil, fmt.Errorf("with.card.type must be AdaptiveCard")
		}
		card["type"] = "AdaptiveCard"
		if _, ok := card["version"]; !ok {
			card["version"] = cardVersion
		}
		if _, ok := card["$schema"]; !ok {
			card["$schema"] = cardSchema
		}
	case strings.TrimSpace(text) == "" && strings.TrimSpace(title) == "":
		return nil, fmt.Errorf("with.text is required (or give a full Adaptive Card as with.card)")
	default:
		var body []any
		if title != "" {
			body = append(body, map[string]any{"type": "TextBlock", "text": title, "weight": "Bolder", "size": "Medium", "wrap": true})
		}
		if text != "" {
			body = append(body, map[string]any{"type": "TextBlock", "text": text, "wrap": true})
		}
		card = map[string]any{"type": "AdaptiveCard", "$schema": cardSchema, "version": cardVersion, "body": body}
	}
	msg := map[string]any{
		"type":        "message",
		"attachments": []any{map[string]any{"contentType": cardType, "contentUrl": nil, "content": card}},
	}
	if b, err := json.Marshal(msg); err == nil && len(b) > maxMessage {
		return nil, fmt.Errorf("message is %d bytes; Teams takes about %d at most", len(b), maxMessage)
	}
	return msg, nil
}

// Classify points at the URL when the workflow refuses the call.
func classify(r *integrations.Response, e *integrations.Error) *integrations.Error {
	switch r.Status {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound:
		e.Message += " (check the integration's url: the workflow's webhook URL, including its sig parameter, and that the workflow is on)"
	}
	return e
}
