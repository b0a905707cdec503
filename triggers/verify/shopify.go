package verify

import (
	"net/http"
	"time"
)

// Shopify: X-Shopify-Hmac-Sha256: base64(HMAC-SHA256(app secret, body)).
const (
	shopifySigHeader = "X-Shopify-Hmac-Sha256"
	shopifyWebhookID = "X-Shopify-Webhook-Id"
	shopifyTopic     = "X-Shopify-Topic"
)

func newShopify(secrets []string) scheme {
	return &bodyB64Scheme{keys: keys(secrets), sigHeader: shopifySigHeader, idHeaders: []string{shopifyWebhookID}}
}

// bodyB64Scheme is a base64 HMAC-SHA256 of the raw body in one header,
// shared by Shopify and WooCommerce.
type bodyB64Scheme struct {
	keys      [][]byte
	sigHeader string
	idHeaders []string // headers Sign sets to the delivery id
}

func (s *bodyB64Scheme) Verify(r Request, now time.Time) error {
	v, ok := header(r.Header, s.sigHeader)
	if !ok || v == "" {
		return errMissing(s.sigHeader)
	}
	got, ok := decodeB64(v)
	if !ok {
		return errMalformed(s.sigHeader, "signature is not base64")
	}
	want := make([][]byte, len(s.keys))
	for i, k := range s.keys {
		want[i] = macSHA256(k, r.Body)
	}
	if anyEqual(got, want) {
		return nil
	}
	return errNoMatch
}

func (s *bodyB64Scheme) sign(r Request, id string, now time.Time) (http.Header, error) {
	if id == "" {
		id = newID("")
	}
	h := http.Header{}
	for _, name := range s.idHeaders {
		h.Set(name, id)
	}
	h.Set(s.sigHeader, b64(macSHA256(s.keys[0], r.Body)))
	return h, nil
}
