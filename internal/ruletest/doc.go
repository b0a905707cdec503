// Package ruletest runs rule tests (`*_test.yaml` beside the rules) offline:
// for each case it builds the event as a trigger would, matches the rules,
// walks each matched rule's steps in needs order with stubbed outputs, renders
// every call's `with` and builds the request the integration would send —
// without sending it, without Temporal and without secrets — and compares
// the matches and requests with the case's expectations. `hookflow test` is
// its command; --update rewrites the expectations from what was rendered.
package ruletest
