package triggers

import "strings"

// slackChallenge returns the challenge of a Slack Events API url_verification
// request, which Slack sends (signed) when an app's Request URL is set and
// which must be answered with the challenge before Slack sends any event. It
// starts no workflow.
func slackChallenge(t *Trigger, payload any) (string, bool) {
	if !strings.EqualFold(strings.TrimSpace(t.Verify.Scheme), "slack") {
		return "", false
	}
	m, ok := payload.(map[string]any)
	if !ok || m["type"] != "url_verification" {
		return "", false
	}
	c, ok := m["challenge"].(string)
	return c, ok
}
