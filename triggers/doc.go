// Package triggers is hookflow's front door: the Gin server that receives
// webhooks at POST /hooks/{trigger}. In order it checks the sender's address
// (allow_ips), the trigger's rate limit, the body limit, the signature on the
// raw bytes, the Content-Type and the JSON or form decoding, and the schema;
// derives the event id and type; answers a replayed body from the dedupe
// cache; and starts the HandleEvent workflow — answering 202 only once
// Temporal has accepted the start. A rejected request starts nothing. Every
// error maps to its HTTP status in errors.go.
package triggers
