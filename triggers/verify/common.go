package verify

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// macSHA256 returns HMAC-SHA256(key, parts...).
func macSHA256(key []byte, parts ...[]byte) []byte {
	return macWith(sha256.New, key, parts...)
}

func macWriter(h func() hash.Hash, key []byte) hash.Hash { return hmac.New(h, key) }

func macWith(h func() hash.Hash, key []byte, parts ...[]byte) []byte {
	m := hmac.New(h, key)
	for _, p := range parts {
		m.Write(p)
	}
	return m.Sum(nil)
}

// header returns the first value of the named header. It falls back to a
// case-insensitive scan so that headers built as non-canonical map literals
// (e.g. http.Header{"webhook-id": ...}) are still found.
func header(h http.Header, name string) (string, bool) {
	if v := h.Values(name); len(v) > 0 {
		return v[0], true
	}
	for k, v := range h {
		if len(v) > 0 && strings.EqualFold(k, name) {
			return v[0], true
		}
	}
	return "", false
}

// headerValues returns all values of the named header (case-insensitive).
func headerValues(h http.Header, name string) []string {
	var out []string
	for k, v := range h {
		if strings.EqualFold(k, name) {
			out = append(out, v...)
		}
	}
	return out
}

// parseTimestamp parses a decimal timestamp header value. Only digits are
// accepted (no sign, no spaces) so that the signed string is unambiguous.
func parseTimestamp(name, v string) (int64, error) {
	if v == "" || len(v) > 19 {
		return 0, errMalformed(name, "timestamp is not a decimal integer")
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return 0, errMalformed(name, "timestamp is not a decimal integer")
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, errMalformed(name, "timestamp is out of range")
	}
	return n, nil
}

// checkTolerance rejects a timestamp t (reported as shown) further than tol
// from now in either direction.
func checkTolerance(shown string, t, now time.Time, tol time.Duration) error {
	d := now.Sub(t)
	if d > tol || d < -tol {
		return fail("timestamp %s is outside the %s tolerance", shown, tol)
	}
	return nil
}

func checkUnix(shown string, sec int64, now time.Time, tol time.Duration) error {
	// Compare in seconds first so that absurd values cannot overflow.
	n := now.Unix()
	lim := int64(tol/time.Second) + 1
	if sec > n+lim || sec < n-lim {
		return fail("timestamp %s is outside the %s tolerance", shown, tol)
	}
	return checkTolerance(shown, time.Unix(sec, 0), now, tol)
}

func checkUnixMilli(shown string, ms int64, now time.Time, tol time.Duration) error {
	n := now.UnixMilli()
	lim := tol.Milliseconds() + 1
	if ms > n+lim || ms < n-lim {
		return fail("timestamp %s is outside the %s tolerance", shown, tol)
	}
	return checkTolerance(shown, time.UnixMilli(ms), now, tol)
}

// decodeHex decodes lowercase or uppercase hex; ok is false on bad input.
func decodeHex(s string) ([]byte, bool) {
	b, err := hex.DecodeString(s)
	return b, err == nil
}

var (
	b64Strict    = base64.StdEncoding.Strict()
	b64RawStrict = base64.RawStdEncoding.Strict()
)

// decodeB64 decodes padded standard base64 strictly (non-zero padding bits
// are rejected) so that exactly one string encodes a given signature.
func decodeB64(s string) ([]byte, bool) {
	b, err := b64Strict.DecodeString(s)
	return b, err == nil
}

// decodeB64Lenient also accepts unpadded base64 (generic hmac scheme only).
func decodeB64Lenient(s string) ([]byte, bool) {
	if b, ok := decodeB64(s); ok {
		return b, true
	}
	b, err := b64RawStrict.DecodeString(s)
	return b, err == nil
}

// anyEqual reports, in constant time per candidate, whether got equals one
// of the expected MACs.
func anyEqual(got []byte, want [][]byte) bool {
	ok := false
	for _, w := range want {
		if hmac.Equal(got, w) {
			ok = true
		}
	}
	return ok
}

// newID returns a random id with the given prefix for Sign when none is given.
func newID(prefix string) string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

func keys(secrets []string) [][]byte {
	out := make([][]byte, len(secrets))
	for i, s := range secrets {
		out[i] = []byte(s)
	}
	return out
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
