package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/hookflow/hookflow/integrations"
)

// Standard Webhooks v1 (https://www.standardwebhooks.com/).
const (
	schemeStandard  = "standard"
	headerID        = "webhook-id"
	headerTimestamp = "webhook-timestamp"
	headerSignature = "webhook-signature"
	secretPrefix    = "whsec_"
)

// signer signs a request body; the key is decoded once, at load.
type signer struct{ key []byte }

// newSigner checks the sign settings. Errors never quote the secret.
func newSigner(node *yaml.Node, s Sign) (*signer, []error) {
	var errs []error
	fail := func(key, format string, args ...any) {
		errs = append(errs, integrations.Errorf(integrations.Child(node, key), "sign."+key, format, args...))
	}
	switch s.Scheme {
	case schemeStandard:
	case "":
		fail("scheme", "is required (known: %s)", schemeStandard)
	default:
		fail("scheme", "unknown scheme %q (known: %s)", s.Scheme, schemeStandard)
	}
	key, err := standardKey(s.Secret)
	if err != "" {
		fail("secret", "%s", err)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return &signer{key: key}, nil
}

// standardKey is the HMAC key: the base64-decoded part after whsec_.
func standardKey(secret string) ([]byte, string) {
	if secret == "" {
		return nil, "is required"
	}
	rest, ok := strings.CutPrefix(secret, secretPrefix)
	if !ok {
		return nil, "must start with whsec_ followed by the base64 key"
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding} {
		if k, err := enc.DecodeString(rest); err == nil && len(k) > 0 {
			return k, ""
		}
	}
	return nil, "must be whsec_ followed by valid base64 (the part after whsec_ does not decode)"
}

// sign sets webhook-id, webhook-timestamp and webhook-signature: v1 and the
// base64 HMAC-SHA256 of "id.timestamp.body".
func (s *signer) sign(h http.Header, id string, now time.Time, body []byte) {
	if id == "" {
		var b [12]byte
		_, _ = rand.Read(b[:])
		id = "msg_" + hex.EncodeToString(b[:])
	}
	ts := strconv.FormatInt(now.Unix(), 10)
	mac := hmac.New(sha256.New, s.key)
	mac.Write([]byte(id + "." + ts + "."))
	mac.Write(body)
	h.Set(headerID, id)
	h.Set(headerTimestamp, ts)
	h.Set(headerSignature, "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
}
