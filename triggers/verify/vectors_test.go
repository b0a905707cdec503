package verify

import (
	"net/http"
	"time"
)

// Vectors from /work/shared/reference/webhook-signatures.md: "published" ones
// are the providers' own examples, "computed" ones independent cross-checks.

const (
	stdSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	stdID     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	stdTS     = "1614265330"
	stdBody   = `{"test": 2432232314}`
	stdSig    = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
	stdBadSig = "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc="

	ghSecret = "It's a Secret to Everybody"
	ghBody   = "Hello, World!"
	ghSig    = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"

	slackSecret = "8f742231b10e8888abcd99yyyzzz85a5"
	slackTS     = "1531420618"
	slackBody   = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
	slackSig    = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"

	stripeSecret = "whsec_test_secret"
	stripeTS     = "1614265330"
	stripeBody   = `{"id":"evt_test","object":"event"}`
	stripeSig    = "fbd6bf5496b9d6310e422a2c072578f95f5eb492111ab57a5510e9cd79c1b304"

	shopSecret = "hush"
	shopBody   = `{"id":1}`
	shopSig    = "VnKUjZsLuN5iZWjn5EntcBVCF9kMN43LglzCE1/GSeY="

	hsSecret = "secret"
	hsURL    = "https://example.com/webhook"
	hsBody   = `{"a":1}`
	hsTS     = "1700000000000"
	hsSig    = "qXdL4DMjbTChjEauec7sQP4IcfqN2HQ2RluYdqUfT6k="
)

// vector is one accepted request plus what is needed to mutate it.
type vector struct {
	name      string
	cfg       Config
	req       Request
	now       time.Time
	sigHeader string // header holding the signature
	sigMarker string // the signature is what follows the last occurrence of this in the header ("" = whole value)
	hexSig    bool   // signature is hex (else base64)
	tsHeader  string // header holding the timestamp ("" if none or inside sigHeader)
	idHeader  string // signed id header ("" if none)
}

func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

func vectors() []vector {
	return []vector{
		{
			name: "standard/published",
			cfg:  Config{Scheme: "standard", Secret: Secrets{stdSecret}},
			req: Request{Method: "POST", URL: "https://example.com/h", Body: []byte(stdBody),
				Header: hdr("webhook-id", stdID, "webhook-timestamp", stdTS, "webhook-signature", stdSig)},
			now: time.Unix(1614265330, 0), sigHeader: "webhook-signature", sigMarker: "v1,",
			tsHeader: "webhook-timestamp", idHeader: "webhook-id",
		},
		{
			name: "github/published",
			cfg:  Config{Scheme: "github", Secret: Secrets{ghSecret}},
			req: Request{Method: "POST", URL: "https://example.com/h", Body: []byte(ghBody),
				Header: hdr("X-Hub-Signature-256", ghSig, "X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958")},
			now: time.Unix(1700000000, 0), sigHeader: "X-Hub-Signature-256", sigMarker: "sha256=", hexSig: true,
		},
		{
			name: "slack/published",
			cfg:  Config{Scheme: "slack", Secret: Secrets{slackSecret}},
			req: Request{Method: "POST", URL: "https://example.com/slack", Body: []byte(slackBody),
				Header: hdr("X-Slack-Signature", slackSig, "X-Slack-Request-Timestamp", slackTS)},
			now: time.Unix(1531420618+60, 0), sigHeader: "X-Slack-Signature", sigMarker: "v0=", hexSig: true,
			tsHeader: "X-Slack-Request-Timestamp",
		},
		{
			name: "stripe/computed",
			cfg:  Config{Scheme: "stripe", Secret: Secrets{stripeSecret}},
			req: Request{Method: "POST", URL: "https://example.com/stripe", Body: []byte(stripeBody),
				Header: hdr("Stripe-Signature", "t="+stripeTS+",v1="+stripeSig)},
			now: time.Unix(1614265330-30, 0), sigHeader: "Stripe-Signature", sigMarker: "v1=", hexSig: true,
		},
		{
			name: "stripe/computed-with-v0-and-extra-v1",
			cfg:  Config{Scheme: "stripe", Secret: Secrets{stripeSecret}},
			req: Request{Method: "POST", URL: "https://example.com/stripe", Body: []byte(stripeBody),
				Header: hdr("Stripe-Signature", "t="+stripeTS+",v0=00ff,v1=deadbeef,v1="+stripeSig)},
			now: time.Unix(1614265330, 0), sigHeader: "Stripe-Signature", sigMarker: "v1=", hexSig: true,
		},
		{
			name: "shopify/computed",
			cfg:  Config{Scheme: "shopify", Secret: Secrets{shopSecret}},
			req: Request{Method: "POST", URL: "https://example.com/shop", Body: []byte(shopBody),
				Header: hdr("X-Shopify-Hmac-Sha256", shopSig, "X-Shopify-Topic", "orders/create")},
			now: time.Unix(1700000000, 0), sigHeader: "X-Shopify-Hmac-Sha256",
		},
		{
			name: "woocommerce/computed",
			cfg:  Config{Scheme: "woocommerce", Secret: Secrets{shopSecret}},
			req: Request{Method: "POST", URL: "https://example.com/woo", Body: []byte(shopBody),
				Header: hdr("X-WC-Webhook-Signature", shopSig, "X-WC-Webhook-Topic", "order.created")},
			now: time.Unix(1700000000, 0), sigHeader: "X-WC-Webhook-Signature",
		},
		{
			name: "hubspot/computed",
			cfg:  Config{Scheme: "hubspot", Secret: Secrets{hsSecret}},
			req: Request{Method: "POST", URL: hsURL, Body: []byte(hsBody),
				Header: hdr("X-HubSpot-Signature-v3", hsSig, "X-HubSpot-Request-Timestamp", hsTS)},
			now: time.UnixMilli(1700000000000 + 1000), sigHeader: "X-HubSpot-Signature-v3",
			tsHeader: "X-HubSpot-Request-Timestamp",
		},
		{
			name: "hmac/as-github",
			cfg:  Config{Scheme: "hmac", Secret: Secrets{ghSecret}, Header: "X-Hub-Signature-256", Prefix: "sha256="},
			req: Request{Method: "POST", URL: "https://example.com/h", Body: []byte(ghBody),
				Header: hdr("X-Hub-Signature-256", ghSig)},
			now: time.Unix(1700000000, 0), sigHeader: "X-Hub-Signature-256", sigMarker: "sha256=", hexSig: true,
		},
		{
			name: "hmac/as-slack",
			cfg: Config{Scheme: "hmac", Secret: Secrets{slackSecret}, Header: "X-Slack-Signature", Prefix: "v0=",
				Algorithm: "sha256", Encoding: "hex",
				TimestampHeader: "X-Slack-Request-Timestamp", Content: "v0:{timestamp}:{body}"},
			req: Request{Method: "POST", URL: "https://example.com/slack", Body: []byte(slackBody),
				Header: hdr("X-Slack-Signature", slackSig, "X-Slack-Request-Timestamp", slackTS)},
			now: time.Unix(1531420618-60, 0), sigHeader: "X-Slack-Signature", sigMarker: "v0=", hexSig: true,
			tsHeader: "X-Slack-Request-Timestamp",
		},
		{
			name: "hmac/as-shopify",
			cfg:  Config{Scheme: "hmac", Secret: Secrets{shopSecret}, Header: "X-Shopify-Hmac-Sha256", Encoding: "base64"},
			req: Request{Method: "POST", URL: "https://example.com/shop", Body: []byte(shopBody),
				Header: hdr("X-Shopify-Hmac-Sha256", shopSig)},
			now: time.Unix(1700000000, 0), sigHeader: "X-Shopify-Hmac-Sha256",
		},
		{
			name: "hmac/as-hubspot",
			cfg: Config{Scheme: "hmac", Secret: Secrets{hsSecret}, Header: "X-HubSpot-Signature-v3", Encoding: "base64",
				Content: "{method}{url}{body}{timestamp}", TimestampHeader: "X-Sig-Time"},
			req: Request{Method: "POST", URL: hsURL, Body: []byte(hsBody),
				Header: hdr("X-HubSpot-Signature-v3", hsSig, "X-Sig-Time", hsTS)},
			// the generic scheme reads seconds: 1700000000000 s is far in the future
			now: time.Unix(1700000000000, 0), sigHeader: "X-HubSpot-Signature-v3",
			tsHeader: "X-Sig-Time",
		},
	}
}
