package integrations

import "strings"

// replayed makes a 5xx that the vendor marks as the replay of a saved
// answer (Idempotent-Replayed: true, as Stripe and APIs modelled on it
// send) permanent: every retry with the same Idempotency-Key gets the same
// answer until the vendor forgets the key, so retrying only delays the
// failure an operator has to see.
func replayed(r *Response, e *Error) *Error {
	if e.Retryable && r.Status >= 500 && strings.EqualFold(r.Header.Get("Idempotent-Replayed"), "true") {
		e.Retryable, e.RetryAfter = false, 0
		e.Message += replayedHint
	}
	return e
}

// replayedHint explains a permanent 5xx from an API that replays answers.
const replayedHint = " (the vendor replayed its saved answer to this Idempotency-Key, so a retry gets the same: fix the cause, then replay the run)"

// ReplayedServerError is for kinds whose vendor replays saved answers
// without marking them: a 5xx is permanent, as replayed would make it.
func ReplayedServerError(r *Response, e *Error) *Error {
	if r.Status >= 500 && e.Retryable {
		e.Retryable, e.RetryAfter = false, 0
		e.Message += " (replays_errors: the API answers every retry with the same Idempotency-Key with its saved answer, so this is not retried)"
	}
	return e
}
