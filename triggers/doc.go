// Package triggers is hookflow's front door: the Gin server that receives
// webhooks at POST /hooks/{trigger}, limits the body, verifies the signature
// on the raw bytes, parses and validates the payload, derives the event id and
// type, and starts the HandleEvent workflow — answering 202 only once Temporal
// has accepted the start. A rejected request starts nothing.
package triggers
