package slack

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/hookflow/hookflow/integrations"
)

// Web API error codes that mean "try again later"; every other code is
// permanent (https://api.slack.com/methods/chat.postMessage#errors).
var retryCodes = []string{"ratelimited", "rate_limited", "internal_error", "fatal_error", "service_unavailable", "request_timeout", "team_added_to_org"}

// Codes that point at the credential.
var credentialCodes = []string{"not_authed", "invalid_auth", "account_inactive", "token_revoked", "token_expired", "no_permission", "org_login_required", "ekm_access_denied", "not_allowed_token_type"}

// apiError classifies an {"ok": false} answer of the Web API.
func apiError(r *integrations.Response, code, needed string) *integrations.Error {
	if code == "" {
		code = "unknown_error"
	}
	e := &integrations.Error{
		Status:    r.Status,
		Retryable: slices.Contains(retryCodes, code),
		Message:   fmt.Sprintf("Slack error %s", code),
	}
	if e.Retryable && code == "ratelimited" {
		e.RetryAfter = integrations.RetryAfterHeader(r.Header)
	}
	switch {
	case slices.Contains(credentialCodes, code):
		e.Message += " (check the integration's token: a Slack bot token, xoxb-…)"
	case code == "missing_scope":
		e.Message += fmt.Sprintf(" (the bot token needs the %s scope)", strings.TrimSpace(needed))
	case code == "not_in_channel" || code == "channel_not_found":
		e.Message += " (invite the app to the channel, or check with.channel)"
	}
	return e
}

// webhookError explains the errors an incoming webhook answers with: the
// body is a bare code such as no_service or channel_is_archived
// (https://api.slack.com/messaging/webhooks#handling_errors).
func webhookError(r *integrations.Response, e *integrations.Error) *integrations.Error {
	code := strings.TrimSpace(string(r.Body))
	switch {
	case code == "action_prohibited":
		e.Message += " (a workspace admin restricts posting to this channel or through webhooks; the url is fine: ask an admin, or post through a bot token)"
	case code == "posting_to_general_channel_denied":
		e.Message += " (only some members may post to this channel: create the webhook for another channel)"
	case r.Status == http.StatusForbidden,
		r.Status == http.StatusNotFound && slices.Contains([]string{"no_service", "no_team", "team_disabled", "invalid_token"}, code):
		e.Message += " (the incoming webhook URL is wrong or was revoked: check the integration's url)"
	case r.Status == http.StatusGone:
		e.Message += " (the webhook's channel is archived or gone)"
	}
	return e
}
