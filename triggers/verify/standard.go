package verify

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Standard Webhooks (https://www.standardwebhooks.com/, spec v1.0.0).
const (
	stdHeaderID        = "webhook-id"
	stdHeaderTimestamp = "webhook-timestamp"
	stdHeaderSignature = "webhook-signature"
	stdSecretPrefix    = "whsec_"
)

// Svix, the reference implementation, sends the same values under svix-*
// names; they are accepted when the webhook-* header is absent.
var stdAltHeaders = map[string]string{
	stdHeaderID:        "svix-id",
	stdHeaderTimestamp: "svix-timestamp",
	stdHeaderSignature: "svix-signature",
}

type standardScheme struct {
	keys [][]byte
	tol  time.Duration
}

// standardKey derives the HMAC key: base64-decode of what follows whsec_.
func standardKey(secret string) ([]byte, error) {
	rest, ok := strings.CutPrefix(secret, stdSecretPrefix)
	if !ok {
		return nil, fmt.Errorf("standard secret must start with whsec_ and be base64")
	}
	k, err := base64.StdEncoding.DecodeString(rest)
	if err != nil {
		k, err = base64.RawStdEncoding.DecodeString(rest)
	}
	if err != nil || len(k) == 0 {
		return nil, fmt.Errorf("standard secret must start with whsec_ and be base64")
	}
	return k, nil
}

func newStandard(secrets []string, tol time.Duration) (scheme, error) {
	s := &standardScheme{tol: tol}
	for i, sec := range secrets {
		k, err := standardKey(sec)
		if err != nil {
			if len(secrets) > 1 {
				return nil, fmt.Errorf("verify.secret[%d]: %w", i, err)
			}
			return nil, err
		}
		s.keys = append(s.keys, k)
	}
	return s, nil
}

func stdHeader(h http.Header, name string) (string, bool) {
	if v, ok := header(h, name); ok {
		return v, true
	}
	return header(h, stdAltHeaders[name])
}

func (s *standardScheme) Verify(r Request, now time.Time) error {
	id, ok := stdHeader(r.Header, stdHeaderID)
	if !ok || id == "" {
		return errMissing(stdHeaderID)
	}
	ts, ok := stdHeader(r.Header, stdHeaderTimestamp)
	if !ok || ts == "" {
		return errMissing(stdHeaderTimestamp)
	}
	sigs := headerValues(r.Header, stdHeaderSignature)
	if len(sigs) == 0 {
		sigs = headerValues(r.Header, stdAltHeaders[stdHeaderSignature])
	}
	if len(sigs) == 0 || strings.TrimSpace(strings.Join(sigs, "")) == "" {
		return errMissing(stdHeaderSignature)
	}
	sec, err := parseTimestamp(stdHeaderTimestamp, ts)
	if err != nil {
		return err
	}
	if err := checkUnix(ts, sec, now, s.tol); err != nil {
		return err
	}
	want := make([][]byte, len(s.keys))
	for i, k := range s.keys {
		want[i] = macSHA256(k, []byte(id), []byte{'.'}, []byte(ts), []byte{'.'}, r.Body)
	}
	if matchStandardSignatures(sigs, want) {
		return nil
	}
	return errNoMatch
}

// matchStandardSignatures reports whether any `v1,<base64>` entry in the
// space-separated header values equals one of want. Other versions are
// skipped; undecodable or empty v1 entries never match.
func matchStandardSignatures(values []string, want [][]byte) bool {
	ok := false
	for _, v := range values {
		for _, entry := range strings.Fields(v) {
			ver, sig, found := strings.Cut(entry, ",")
			if !found || ver != "v1" || sig == "" {
				continue
			}
			got, err := b64Strict.DecodeString(sig)
			if err != nil || len(got) == 0 {
				continue
			}
			if anyEqual(got, want) {
				ok = true
			}
		}
	}
	return ok
}

func (s *standardScheme) sign(r Request, id string, now time.Time) (http.Header, error) {
	if id == "" {
		id = newID("msg_")
	}
	ts := strconv.FormatInt(now.Unix(), 10)
	mac := macSHA256(s.keys[0], []byte(id), []byte{'.'}, []byte(ts), []byte{'.'}, r.Body)
	h := http.Header{}
	h.Set(stdHeaderID, id)
	h.Set(stdHeaderTimestamp, ts)
	h.Set(stdHeaderSignature, "v1,"+base64.StdEncoding.EncodeToString(mac))
	return h, nil
}
