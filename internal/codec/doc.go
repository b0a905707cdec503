// Package codec encrypts Temporal payloads so event payloads, rendered requests,
// responses and failure messages are unreadable in workflow history, and serves
// the codec endpoint the Temporal Web UI calls to show them to operators.
//
// Payloads are sealed with AES-256-GCM under the first key of a key ring; every
// key in the ring can open them, so keys rotate by putting the new key first and
// keeping the old ones until no retained history uses them. Payloads written
// before encryption was enabled pass through decoding unchanged.
package codec
