package verify

import (
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Slack: X-Slack-Signature: v0=<hex HMAC-SHA256(signing secret,
// "v0:" + ts + ":" + body)>, ts in X-Slack-Request-Timestamp (unix seconds).
const (
	slackSigHeader = "X-Slack-Signature"
	slackTSHeader  = "X-Slack-Request-Timestamp"
	slackVersion   = "v0"
)

type slackScheme struct {
	keys [][]byte
	tol  time.Duration
}

func newSlack(secrets []string, tol time.Duration) scheme {
	return &slackScheme{keys: keys(secrets), tol: tol}
}

func (s *slackScheme) Verify(r Request, now time.Time) error {
	v, ok := header(r.Header, slackSigHeader)
	if !ok || v == "" {
		return errMissing(slackSigHeader)
	}
	ts, ok := header(r.Header, slackTSHeader)
	if !ok || ts == "" {
		return errMissing(slackTSHeader)
	}
	hexSig, ok := strings.CutPrefix(strings.TrimSpace(v), slackVersion+"=")
	if !ok {
		return errMalformed(slackSigHeader, "want v0=<hex>")
	}
	got, ok := decodeHex(hexSig)
	if !ok {
		return errMalformed(slackSigHeader, "signature is not hex")
	}
	sec, err := parseTimestamp(slackTSHeader, ts)
	if err != nil {
		return err
	}
	if err := checkUnix(ts, sec, now, s.tol); err != nil {
		return err
	}
	want := make([][]byte, len(s.keys))
	for i, k := range s.keys {
		want[i] = slackMAC(k, ts, r.Body)
	}
	if anyEqual(got, want) {
		return nil
	}
	return errNoMatch
}

func slackMAC(key []byte, ts string, body []byte) []byte {
	return macSHA256(key, []byte(slackVersion+":"+ts+":"), body)
}

func (s *slackScheme) sign(r Request, id string, now time.Time) (http.Header, error) {
	ts := strconv.FormatInt(now.Unix(), 10)
	h := http.Header{}
	h.Set(slackTSHeader, ts)
	h.Set(slackSigHeader, slackVersion+"="+hex.EncodeToString(slackMAC(s.keys[0], ts, r.Body)))
	return h, nil
}
