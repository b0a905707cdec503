package verify

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"hash"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The hmac scheme: a configurable HMAC for providers without a built-in
// scheme. The signed content is a template (default "{body}") with the
// placeholders {body}, {timestamp}, {method} and {url}.

type part struct {
	lit  string // literal text when kind == partLit
	kind int
}

const (
	partLit = iota
	partBody
	partTimestamp
	partMethod
	partURL
)

var placeholders = map[string]int{
	"body": partBody, "timestamp": partTimestamp, "method": partMethod, "url": partURL,
}

type hmacScheme struct {
	keys      [][]byte
	hash      func() hash.Hash
	algorithm string
	base64    bool
	header    string
	prefix    string
	tsHeader  string
	tol       time.Duration
	content   []part
}

// parseContent compiles a signed-content template. Text in braces that looks
// like a placeholder name must be a known placeholder; other text (including
// braces that are not placeholders, e.g. JSON) is literal.
func parseContent(tpl string) ([]part, error) {
	var parts []part
	lit := strings.Builder{}
	for i := 0; i < len(tpl); {
		if tpl[i] == '{' {
			if end := strings.IndexByte(tpl[i+1:], '}'); end >= 0 {
				name := tpl[i+1 : i+1+end]
				if isIdent(name) {
					kind, ok := placeholders[name]
					if !ok {
						return nil, fmt.Errorf("verify.content has unknown placeholder {%s} (want {body}, {timestamp}, {method} or {url})", name)
					}
					if lit.Len() > 0 {
						parts = append(parts, part{lit: lit.String()})
						lit.Reset()
					}
					parts = append(parts, part{kind: kind})
					i += end + 2
					continue
				}
			}
		}
		lit.WriteByte(tpl[i])
		i++
	}
	if lit.Len() > 0 {
		parts = append(parts, part{lit: lit.String()})
	}
	return parts, nil
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func newGenericHMAC(c Config, secrets []string, tol time.Duration) (scheme, error) {
	s := &hmacScheme{keys: keys(secrets), tol: tol}
	s.header = strings.TrimSpace(c.Header)
	if s.header == "" {
		return nil, fmt.Errorf("verify.header is required for scheme hmac (the header carrying the signature, e.g. X-Signature)")
	}
	switch a := strings.ToLower(strings.TrimSpace(c.Algorithm)); a {
	case "", "sha256":
		s.hash, s.algorithm = sha256.New, "sha256"
	case "sha1":
		s.hash, s.algorithm = sha1.New, "sha1"
	case "sha512":
		s.hash, s.algorithm = sha512.New, "sha512"
	default:
		return nil, fmt.Errorf("verify.algorithm %q is unknown (want sha256, sha1 or sha512)", c.Algorithm)
	}
	switch e := strings.ToLower(strings.TrimSpace(c.Encoding)); e {
	case "", "hex":
	case "base64":
		s.base64 = true
	default:
		return nil, fmt.Errorf("verify.encoding %q is unknown (want hex or base64)", c.Encoding)
	}
	s.prefix = c.Prefix
	s.tsHeader = strings.TrimSpace(c.TimestampHeader)
	tpl := c.Content
	if tpl == "" {
		tpl = "{body}"
	}
	parts, err := parseContent(tpl)
	if err != nil {
		return nil, err
	}
	hasBody, hasTS := false, false
	for _, p := range parts {
		hasBody = hasBody || p.kind == partBody
		hasTS = hasTS || p.kind == partTimestamp
	}
	if !hasBody {
		return nil, fmt.Errorf("verify.content must contain {body}: a signature that does not cover the body proves nothing about it")
	}
	if hasTS && s.tsHeader == "" {
		return nil, fmt.Errorf("verify.content uses {timestamp} but verify.timestamp_header is not set")
	}
	if s.tsHeader != "" && !hasTS {
		return nil, fmt.Errorf("verify.timestamp_header is set but verify.content does not sign it; add {timestamp} to verify.content (e.g. \"{timestamp}.{body}\")")
	}
	s.content = parts
	return s, nil
}

func (s *hmacScheme) mac(key []byte, r Request, ts string) []byte {
	m := macWriter(s.hash, key)
	for _, p := range s.content {
		switch p.kind {
		case partLit:
			m.Write([]byte(p.lit))
		case partBody:
			m.Write(r.Body)
		case partTimestamp:
			m.Write([]byte(ts))
		case partMethod:
			m.Write([]byte(r.Method))
		case partURL:
			m.Write([]byte(r.URL))
		}
	}
	return m.Sum(nil)
}

func (s *hmacScheme) Verify(r Request, now time.Time) error {
	v, ok := header(r.Header, s.header)
	if !ok || v == "" {
		return errMissing(s.header)
	}
	v = strings.TrimSpace(v)
	if s.prefix != "" {
		var found bool
		v, found = strings.CutPrefix(v, s.prefix)
		if !found {
			return errMalformed(s.header, fmt.Sprintf("missing prefix %q", s.prefix))
		}
	}
	var got []byte
	if s.base64 {
		got, ok = decodeB64Lenient(v)
		if !ok {
			return errMalformed(s.header, "signature is not base64")
		}
	} else {
		got, ok = decodeHex(v)
		if !ok {
			return errMalformed(s.header, "signature is not hex")
		}
	}
	var ts string
	if s.tsHeader != "" {
		ts, ok = header(r.Header, s.tsHeader)
		if !ok || ts == "" {
			return errMissing(s.tsHeader)
		}
		sec, err := parseTimestamp(s.tsHeader, ts)
		if err != nil {
			return err
		}
		if err := checkUnix(ts, sec, now, s.tol); err != nil {
			return err
		}
	}
	want := make([][]byte, len(s.keys))
	for i, k := range s.keys {
		want[i] = s.mac(k, r, ts)
	}
	if anyEqual(got, want) {
		return nil
	}
	return errNoMatch
}

func (s *hmacScheme) sign(r Request, id string, now time.Time) (http.Header, error) {
	h := http.Header{}
	var ts string
	if s.tsHeader != "" {
		ts = strconv.FormatInt(now.Unix(), 10)
		h.Set(s.tsHeader, ts)
	}
	mac := s.mac(s.keys[0], r, ts)
	enc := hex.EncodeToString(mac)
	if s.base64 {
		enc = b64(mac)
	}
	h.Set(s.header, s.prefix+enc)
	return h, nil
}
