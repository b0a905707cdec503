package verify

// WooCommerce: X-WC-Webhook-Signature: base64(HMAC-SHA256(secret, body)).
// X-WC-Webhook-ID is the webhook's own id (the same for every delivery);
// X-WC-Webhook-Delivery-ID identifies one delivery.
const (
	wooSigHeader  = "X-WC-Webhook-Signature"
	wooWebhookID  = "X-WC-Webhook-ID"
	wooDeliveryID = "X-WC-Webhook-Delivery-ID"
	wooTopic      = "X-WC-Webhook-Topic"
)

func newWooCommerce(secrets []string) scheme {
	return &bodyB64Scheme{keys: keys(secrets), sigHeader: wooSigHeader, idHeaders: []string{wooWebhookID, wooDeliveryID}}
}
