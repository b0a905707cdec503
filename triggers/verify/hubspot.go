package verify

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// HubSpot v3: X-HubSpot-Signature-v3: base64(HMAC-SHA256(app secret,
// method + uri + body + timestamp)), timestamp in X-HubSpot-Request-Timestamp
// (unix milliseconds). HubSpot documents rejecting timestamps older than 5
// minutes; the configured tolerance is applied in both directions.
const (
	hubspotSigHeader = "X-HubSpot-Signature-v3"
	hubspotTSHeader  = "X-HubSpot-Request-Timestamp"
)

// HubSpot signs the URI after decoding these percent-escapes (its
// documentation lists them; other escapes are left as they are).
var hubspotURIDecoder = strings.NewReplacer(
	"%3A", ":", "%2F", "/", "%3F", "?", "%40", "@", "%21", "!", "%24", "$",
	"%27", "'", "%28", "(", "%29", ")", "%2A", "*", "%2C", ",", "%3B", ";",
	"%3a", ":", "%2f", "/", "%3f", "?", "%2a", "*", "%2c", ",", "%3b", ";",
)

type hubspotScheme struct {
	keys [][]byte
	tol  time.Duration
}

func newHubSpot(secrets []string, tol time.Duration) scheme {
	return &hubspotScheme{keys: keys(secrets), tol: tol}
}

func hubspotMAC(key []byte, r Request, ts string) []byte {
	return macSHA256(key, []byte(r.Method), []byte(hubspotURIDecoder.Replace(r.URL)), r.Body, []byte(ts))
}

func (s *hubspotScheme) Verify(r Request, now time.Time) error {
	v, ok := header(r.Header, hubspotSigHeader)
	if !ok || v == "" {
		return errMissing(hubspotSigHeader)
	}
	ts, ok := header(r.Header, hubspotTSHeader)
	if !ok || ts == "" {
		return errMissing(hubspotTSHeader)
	}
	got, ok := decodeB64(strings.TrimSpace(v))
	if !ok {
		return errMalformed(hubspotSigHeader, "signature is not base64")
	}
	ms, err := parseTimestamp(hubspotTSHeader, ts)
	if err != nil {
		return err
	}
	if err := checkUnixMilli(ts, ms, now, s.tol); err != nil {
		return err
	}
	want := make([][]byte, len(s.keys))
	for i, k := range s.keys {
		want[i] = hubspotMAC(k, r, ts)
	}
	if anyEqual(got, want) {
		return nil
	}
	return errNoMatch
}

func (s *hubspotScheme) sign(r Request, id string, now time.Time) (http.Header, error) {
	ts := strconv.FormatInt(now.UnixMilli(), 10)
	h := http.Header{}
	h.Set(hubspotTSHeader, ts)
	h.Set(hubspotSigHeader, b64(hubspotMAC(s.keys[0], r, ts)))
	return h, nil
}
