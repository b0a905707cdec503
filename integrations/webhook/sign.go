package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
)

// sign is the Standard Webhooks v1 signature over id.timestamp.body.
func sign(key []byte, id, ts string, body []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id))
	mac.Write([]byte{'.'})
	mac.Write([]byte(ts))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}
