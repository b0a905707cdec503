package verify

import "strings"

// Defaults describes, per scheme, where the event id and type are carried and
// whether the scheme signs a timestamp (and so resists replay on its own).
type Defaults struct {
	EventIDHeader string // header holding the delivery/event id ("" if none)
	// EventIDAltHeader holds the id when EventIDHeader is absent: svix-id,
	// for Standard Webhooks sent with Svix's header names.
	EventIDAltHeader string
	EventTypeHeader  string // header holding the event type ("" if none)
	PayloadID        string // payload field holding the id, e.g. "id" for stripe ("" if none)
	PayloadType      string // payload field holding the type, e.g. "type" for stripe
	SignsTimestamp   bool   // true for standard, stripe, slack, hubspot, hmac with timestamp_header
}

// SchemeDefaults returns the defaults for c's scheme; the zero Defaults for
// schemes that carry no id or type (slack, hubspot, bearer, basic, none) and
// for unknown schemes.
func SchemeDefaults(c Config) Defaults {
	switch normScheme(c.Scheme) {
	case "standard":
		return Defaults{EventIDHeader: stdHeaderID, EventIDAltHeader: stdAltHeaders[stdHeaderID], PayloadType: "type", SignsTimestamp: true}
	case "github":
		return Defaults{EventIDHeader: githubDelivery, EventTypeHeader: githubEvent}
	case "stripe":
		return Defaults{PayloadID: "id", PayloadType: "type", SignsTimestamp: true}
	case "shopify":
		return Defaults{EventIDHeader: shopifyWebhookID, EventTypeHeader: shopifyTopic}
	case "woocommerce":
		return Defaults{EventIDHeader: wooDeliveryID, EventTypeHeader: wooTopic}
	case "slack", "hubspot":
		return Defaults{SignsTimestamp: true}
	case "hmac":
		return Defaults{SignsTimestamp: strings.TrimSpace(c.TimestampHeader) != ""}
	}
	return Defaults{}
}
