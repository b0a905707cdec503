package verify

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// bearer and basic: a shared secret in the Authorization header. Both sides
// are hashed before the constant-time comparison so that neither the content
// nor the length of a secret leaks through timing.
const authHeader = "Authorization"

type authScheme struct {
	kind    string     // "Bearer" or "Basic"
	digests [][32]byte // sha256 of each accepted credential
	first   string     // first secret, for Sign
}

func newBearer(secrets []string) scheme {
	s := &authScheme{kind: "Bearer", first: secrets[0]}
	for _, sec := range secrets {
		s.digests = append(s.digests, sha256.Sum256([]byte(sec)))
	}
	return s
}

func newBasic(secrets []string) (scheme, error) {
	s := &authScheme{kind: "Basic", first: secrets[0]}
	for i, sec := range secrets {
		if !strings.Contains(sec, ":") {
			if len(secrets) > 1 {
				return nil, fmt.Errorf("verify.secret[%d]: basic secret must be user:password", i)
			}
			return nil, fmt.Errorf("basic secret must be user:password")
		}
		s.digests = append(s.digests, sha256.Sum256([]byte(sec)))
	}
	return s, nil
}

// credentials extracts the credential after "<kind> " (case-insensitive).
func (s *authScheme) credentials(h http.Header) (string, error) {
	v, ok := header(h, authHeader)
	if !ok || v == "" {
		return "", errMissing(authHeader)
	}
	kind, cred, found := strings.Cut(strings.TrimSpace(v), " ")
	if !found || !strings.EqualFold(kind, s.kind) {
		return "", errMalformed(authHeader, "want "+s.kind+" credentials")
	}
	cred = strings.TrimSpace(cred)
	if cred == "" {
		return "", errMalformed(authHeader, "empty "+s.kind+" credentials")
	}
	if s.kind == "Basic" {
		dec, err := base64.StdEncoding.DecodeString(cred)
		if err != nil || !strings.Contains(string(dec), ":") {
			return "", errMalformed(authHeader, "Basic credentials are not base64 of user:password")
		}
		return string(dec), nil
	}
	return cred, nil
}

func (s *authScheme) Verify(r Request, now time.Time) error {
	cred, err := s.credentials(r.Header)
	if err != nil {
		return err
	}
	got := sha256.Sum256([]byte(cred))
	ok := 0
	for _, d := range s.digests {
		ok |= subtle.ConstantTimeCompare(got[:], d[:])
	}
	if ok == 1 {
		return nil
	}
	return &Error{Msg: "credentials do not match"}
}

func (s *authScheme) sign(r Request, id string, now time.Time) (http.Header, error) {
	h := http.Header{}
	if s.kind == "Basic" {
		h.Set(authHeader, "Basic "+base64.StdEncoding.EncodeToString([]byte(s.first)))
	} else {
		h.Set(authHeader, "Bearer "+s.first)
	}
	return h, nil
}
