package discord

import (
	"encoding/json"
	"math"
	"net/http"
	"time"

	"github.com/hookflow/hookflow/integrations"
)

// classify reads Discord's 429 body, {"message": "You are being rate
// limited.", "retry_after": 64.57, "global": false}: retry_after is in
// seconds (a float) from API v8 on, the versions New allows, and is more
// precise than the Retry-After header.
// 401/404 mean the webhook URL is wrong or the webhook was deleted.
func classify(r *integrations.Response, e *integrations.Error) *integrations.Error {
	switch r.Status {
	case http.StatusTooManyRequests:
		var body struct {
			RetryAfter float64 `json:"retry_after"`
			Global     bool    `json:"global"`
		}
		if json.Unmarshal(r.Body, &body) == nil && body.RetryAfter > 0 && body.RetryAfter < 24*3600 {
			e.RetryAfter = time.Duration(math.Ceil(body.RetryAfter*1000)) * time.Millisecond
		}
		if body.Global {
			e.Message += " (global rate limit)"
		}
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound:
		e.Message += " (check the integration's url: the webhook may have been deleted or its token reset)"
	}
	return e
}
