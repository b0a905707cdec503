package telegram

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hookflow/hookflow/integrations"
)

// classify adds what the Bot API's answer says beyond its status:
//   - 429: parameters.retry_after, in seconds, is the delay (the core
//     caps it at the retry policy's max_interval);
//   - 400 with parameters.migrate_to_chat_id: the group became a
//     supergroup, with a new chat id to use;
//   - 400 "can't parse entities": the text is not valid for its
//     parse_mode;
//   - 401: the token is wrong or was revoked; 403: the bot cannot post
//     there (blocked by the user, or not a member of the chat).
func classify(r *integrations.Response, e *integrations.Error) *integrations.Error {
	var a answer
	_ = json.Unmarshal(r.Body, &a)
	switch {
	case r.Status == http.StatusTooManyRequests && a.Parameters.RetryAfter > 0:
		e.RetryAfter = time.Duration(a.Parameters.RetryAfter) * time.Second
	case a.Parameters.MigrateToChatID != 0:
		e.Message += fmt.Sprintf(" (the group is now a supergroup: use chat_id %d)", a.Parameters.MigrateToChatID)
	case r.Status == http.StatusBadRequest && strings.Contains(a.Description, "can't parse entities"):
		e.Message += " (the text is not valid for its parse_mode: escape <, > and & in HTML, or MarkdownV2's special characters)"
	case r.Status == http.StatusUnauthorized || r.Status == http.StatusNotFound:
		e.Message += " (check the integration's token: the bot token from @BotFather, which /revoke replaces)"
	case r.Status == http.StatusForbidden:
		e.Message += " (the bot cannot post in this chat: add it to the group or channel, or the user has blocked it)"
	}
	return e
}
