package verify

import (
	"crypto/sha1"
	"encoding/hex"
	"net/http"
	"strings"
	"time"
)

// GitHub: X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>.
const (
	githubSigHeader     = "X-Hub-Signature-256"
	githubSHA1Header    = "X-Hub-Signature" // legacy, added by Sign for realism, never trusted
	githubDelivery      = "X-GitHub-Delivery"
	githubEvent         = "X-GitHub-Event"
	githubSigPrefix     = "sha256="
	githubSHA1SigPrefix = "sha1="
)

type githubScheme struct{ keys [][]byte }

func newGitHub(secrets []string) scheme { return &githubScheme{keys: keys(secrets)} }

func (s *githubScheme) Verify(r Request, now time.Time) error {
	v, ok := header(r.Header, githubSigHeader)
	if !ok || v == "" {
		return errMissing(githubSigHeader)
	}
	hexSig, ok := strings.CutPrefix(strings.TrimSpace(v), githubSigPrefix)
	if !ok {
		return errMalformed(githubSigHeader, "want sha256=<hex>")
	}
	got, ok := decodeHex(hexSig)
	if !ok {
		return errMalformed(githubSigHeader, "signature is not hex")
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

func (s *githubScheme) sign(r Request, id string, now time.Time) (http.Header, error) {
	if id == "" {
		id = newID("")
	}
	h := http.Header{}
	h.Set(githubDelivery, id)
	h.Set(githubSigHeader, githubSigPrefix+hex.EncodeToString(macSHA256(s.keys[0], r.Body)))
	h.Set(githubSHA1Header, githubSHA1SigPrefix+hex.EncodeToString(macWith(sha1.New, s.keys[0], r.Body)))
	return h, nil
}
