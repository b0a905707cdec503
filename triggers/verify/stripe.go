package verify

import (
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Stripe: Stripe-Signature: t=<unix>,v1=<hex>[,v1=...][,v0=...]; signed
// bytes are t + "." + body; the key is the whole whsec_... string as raw
// bytes (unlike Standard Webhooks, it is NOT base64-decoded). Only v1 counts.
const stripeHeader = "Stripe-Signature"

type stripeScheme struct {
	keys [][]byte
	tol  time.Duration
}

func newStripe(secrets []string, tol time.Duration) scheme {
	return &stripeScheme{keys: keys(secrets), tol: tol}
}

// parseStripeHeader returns the t= value and the decoded v1 signatures.
// Undecodable v1 values are skipped (they can never match).
func parseStripeHeader(v string) (ts string, sigs [][]byte, err error) {
	haveT, haveV1 := false, false
	for _, item := range strings.Split(v, ",") {
		k, val, found := strings.Cut(strings.TrimSpace(item), "=")
		if !found {
			continue
		}
		switch k {
		case "t":
			if haveT {
				return "", nil, errMalformed(stripeHeader, "more than one t= element")
			}
			haveT, ts = true, val
		case "v1":
			haveV1 = true
			if b, ok := decodeHex(val); ok && len(b) > 0 {
				sigs = append(sigs, b)
			}
		}
	}
	if !haveT {
		return "", nil, errMalformed(stripeHeader, "no t= element")
	}
	if !haveV1 {
		return "", nil, errMalformed(stripeHeader, "no v1= element")
	}
	return ts, sigs, nil
}

func (s *stripeScheme) Verify(r Request, now time.Time) error {
	v, ok := header(r.Header, stripeHeader)
	if !ok || v == "" {
		return errMissing(stripeHeader)
	}
	ts, sigs, err := parseStripeHeader(v)
	if err != nil {
		return err
	}
	sec, err := parseTimestamp(stripeHeader, ts)
	if err != nil {
		return err
	}
	if err := checkUnix(ts, sec, now, s.tol); err != nil {
		return err
	}
	want := make([][]byte, len(s.keys))
	for i, k := range s.keys {
		want[i] = macSHA256(k, []byte(ts), []byte{'.'}, r.Body)
	}
	ok = false
	for _, got := range sigs {
		if anyEqual(got, want) {
			ok = true
		}
	}
	if ok {
		return nil
	}
	return errNoMatch
}

func (s *stripeScheme) sign(r Request, id string, now time.Time) (http.Header, error) {
	ts := strconv.FormatInt(now.Unix(), 10)
	mac := macSHA256(s.keys[0], []byte(ts), []byte{'.'}, r.Body)
	h := http.Header{}
	h.Set(stripeHeader, "t="+ts+",v1="+hex.EncodeToString(mac))
	return h, nil
}
