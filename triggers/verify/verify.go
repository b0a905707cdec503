package verify

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Request is what a verifier sees.
type Request struct {
	Method string      // e.g. "POST"
	URL    string      // the full URL the sender addressed, e.g. "https://example.com/hooks/x?a=1" (HubSpot v3 signs it)
	Header http.Header // as received
	Body   []byte      // raw body, before any parsing
}

// Config is the `verify:` section of a trigger in hookflow.yaml.
type Config struct {
	Scheme    string        `yaml:"scheme"`    // standard|github|stripe|shopify|slack|hubspot|woocommerce|hmac|bearer|basic|none
	Secret    Secrets       `yaml:"secret"`    // one secret or a list (rotation: any verifies)
	Tolerance time.Duration `yaml:"tolerance"` // default 5m for schemes that sign a timestamp; both directions

	// hmac scheme only:
	Header          string `yaml:"header"`           // signature header, required for hmac
	Algorithm       string `yaml:"algorithm"`        // sha256 (default) | sha1 | sha512
	Encoding        string `yaml:"encoding"`         // hex (default) | base64
	Prefix          string `yaml:"prefix"`           // e.g. "sha256=" stripped before decoding
	TimestampHeader string `yaml:"timestamp_header"` // optional; when set, timestamp is checked against tolerance (unix seconds)
	Content         string `yaml:"content"`          // signed-content template, default "{body}"; placeholders {body}, {timestamp}, {method}, {url}
}

// DefaultTolerance is the clock skew accepted, in both directions, by schemes
// that sign a timestamp when Config.Tolerance is zero.
const DefaultTolerance = 5 * time.Minute

// Verifier checks one request.
type Verifier interface {
	// Verify returns nil when the request is authentic at time now, else an *Error.
	Verify(r Request, now time.Time) error
}

// Error is a verification failure (maps to HTTP 401). Msg says what is wrong
// without revealing secrets or the received signature.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

func fail(format string, args ...any) error {
	return &Error{Msg: fmt.Sprintf(format, args...)}
}

func errMissing(header string) error { return fail("missing header %s", header) }

var errNoMatch = &Error{Msg: "signature does not match"}

func errMalformed(header, why string) error {
	return fail("malformed header %s: %s", header, why)
}

// scheme is the internal form of a validated configuration.
type scheme interface {
	Verifier
	// sign returns the headers a sender would add, using the first secret.
	sign(r Request, id string, now time.Time) (http.Header, error)
}

// New validates the config and returns a verifier. Config errors (plain
// errors, not *Error) say what to fix.
func New(c Config) (Verifier, error) {
	s, err := build(c)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Sign returns the headers a real sender of this scheme would add to r at
// time now, using the first secret. id is the delivery/message id where the
// scheme carries one (standard: webhook-id; github: X-GitHub-Delivery;
// shopify: X-Shopify-Webhook-Id; woocommerce: X-WC-Webhook-ID and
// X-WC-Webhook-Delivery-ID); when id is empty a random one is generated.
// Other schemes ignore id. bearer adds `Authorization: Bearer <secret>`,
// basic (secret "user:password") adds `Authorization: Basic ...`, none adds
// nothing.
func Sign(c Config, r Request, id string, now time.Time) (http.Header, error) {
	s, err := build(c)
	if err != nil {
		return nil, err
	}
	return s.sign(r, id, now)
}

// Schemes lists the known scheme names in a stable order.
func Schemes() []string {
	return []string{"standard", "github", "stripe", "shopify", "slack", "hubspot", "woocommerce", "hmac", "bearer", "basic", "none"}
}

func normScheme(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func build(c Config) (scheme, error) {
	name := normScheme(c.Scheme)
	if name == "" {
		return nil, fmt.Errorf("verify.scheme is required; write `scheme: none` to accept unsigned requests")
	}
	known := false
	for _, s := range Schemes() {
		if s == name {
			known = true
		}
	}
	if !known {
		return nil, fmt.Errorf("verify.scheme %q is unknown (want one of %s)", c.Scheme, strings.Join(Schemes(), ", "))
	}
	if name != "hmac" {
		for _, f := range []struct{ key, val string }{
			{"header", c.Header}, {"algorithm", c.Algorithm}, {"encoding", c.Encoding},
			{"prefix", c.Prefix}, {"timestamp_header", c.TimestampHeader}, {"content", c.Content},
		} {
			if f.val != "" {
				return nil, fmt.Errorf("verify.%s is only used by scheme hmac, not %s; remove it", f.key, name)
			}
		}
	}
	if c.Tolerance < 0 {
		return nil, fmt.Errorf("verify.tolerance must not be negative (got %s)", c.Tolerance)
	}
	tol := c.Tolerance
	if tol == 0 {
		tol = DefaultTolerance
	}
	if name == "none" {
		if len(c.Secret) > 0 {
			return nil, fmt.Errorf("verify.secret is not used by scheme none; remove it or choose a signing scheme")
		}
		return noneScheme{}, nil
	}
	if len(c.Secret) == 0 {
		return nil, fmt.Errorf("verify.secret is required for scheme %s", name)
	}
	for i, s := range c.Secret {
		if s == "" {
			if len(c.Secret) == 1 {
				return nil, fmt.Errorf("verify.secret is empty for scheme %s", name)
			}
			return nil, fmt.Errorf("verify.secret[%d] is empty", i)
		}
	}
	secrets := []string(c.Secret)
	switch name {
	case "standard":
		return newStandard(secrets, tol)
	case "github":
		return newGitHub(secrets), nil
	case "stripe":
		return newStripe(secrets, tol), nil
	case "shopify":
		return newShopify(secrets), nil
	case "slack":
		return newSlack(secrets, tol), nil
	case "hubspot":
		return newHubSpot(secrets, tol), nil
	case "woocommerce":
		return newWooCommerce(secrets), nil
	case "hmac":
		return newGenericHMAC(c, secrets, tol)
	case "bearer":
		return newBearer(secrets), nil
	case "basic":
		return newBasic(secrets)
	}
	panic("unreachable: scheme " + name)
}
