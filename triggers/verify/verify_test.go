package verify

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

const (
	hexAlphabet = "0123456789abcdef"
	b64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	digits      = "0123456789"
)

func mustNew(t testing.TB, c Config) Verifier {
	t.Helper()
	v, err := New(c)
	if err != nil {
		t.Fatalf("New(%+v): %v", c, err)
	}
	return v
}

func cloneReq(r Request) Request {
	r.Header = r.Header.Clone()
	r.Body = bytes.Clone(r.Body)
	return r
}

// bump replaces s[i] with the next character of alphabet (wrapping).
func bump(s string, i int, alphabet string) string {
	j := strings.IndexByte(alphabet, s[i])
	if j < 0 {
		j = 0
	}
	return s[:i] + string(alphabet[(j+1)%len(alphabet)]) + s[i+1:]
}

func wantAccept(t *testing.T, v Verifier, r Request, now time.Time) {
	t.Helper()
	if err := v.Verify(r, now); err != nil {
		t.Fatalf("want accept, got %v", err)
	}
}

func wantReject(t *testing.T, v Verifier, r Request, now time.Time, secrets ...string) *Error {
	t.Helper()
	err := v.Verify(r, now)
	if err == nil {
		t.Fatalf("want reject, got nil")
	}
	var ve *Error
	if !errors.As(err, &ve) {
		t.Fatalf("want *Error, got %T %v", err, err)
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(err.Error(), s) {
			t.Fatalf("error %q leaks secret", err)
		}
	}
	return ve
}

func TestVectorsAccept(t *testing.T) {
	for _, vc := range vectors() {
		t.Run(vc.name, func(t *testing.T) {
			wantAccept(t, mustNew(t, vc.cfg), vc.req, vc.now)
		})
	}
}

// sigSpan returns where the signature sits in the signature header value.
func sigSpan(vc vector) (val string, start int) {
	val = vc.req.Header.Get(vc.sigHeader)
	if vc.sigMarker != "" {
		start = strings.LastIndex(val, vc.sigMarker) + len(vc.sigMarker)
	}
	return val, start
}

func TestOneByteMutationsReject(t *testing.T) {
	for _, vc := range vectors() {
		v := mustNew(t, vc.cfg)
		sigVal, sigStart := sigSpan(vc)
		sigLen := len(sigVal) - sigStart

		t.Run(vc.name+"/body", func(t *testing.T) {
			for _, i := range []int{0, len(vc.req.Body) / 2, len(vc.req.Body) - 1} {
				r := cloneReq(vc.req)
				r.Body[i] ^= 0x01
				wantReject(t, v, r, vc.now)
			}
			r := cloneReq(vc.req)
			r.Body = append(r.Body, ' ')
			wantReject(t, v, r, vc.now)
		})

		t.Run(vc.name+"/secret", func(t *testing.T) {
			sec := vc.cfg.Secret[0]
			positions := []int{0, len(sec) / 2, len(sec) - 1}
			if strings.HasPrefix(sec, "whsec_") && vc.cfg.Scheme == "standard" {
				positions = []int{6, 6 + (len(sec)-6)/2, len(sec) - 2}
			}
			for _, i := range positions {
				c := vc.cfg
				if c.Scheme == "standard" {
					c.Secret = Secrets{bump(sec, i, b64Alphabet)}
				} else {
					b := []byte(sec)
					b[i] ^= 0x01
					c.Secret = Secrets{string(b)}
				}
				wantReject(t, mustNew(t, c), vc.req, vc.now, sec)
			}
		})

		t.Run(vc.name+"/signature", func(t *testing.T) {
			alpha := b64Alphabet
			if vc.hexSig {
				alpha = hexAlphabet
			}
			end := len(sigVal) - 1
			for end > sigStart && sigVal[end] == '=' {
				end--
			}
			for _, i := range []int{sigStart, sigStart + sigLen/2, end} {
				r := cloneReq(vc.req)
				r.Header.Set(vc.sigHeader, bump(sigVal, i, alpha))
				wantReject(t, v, r, vc.now)
			}
			// dropping the last significant character
			r := cloneReq(vc.req)
			r.Header.Set(vc.sigHeader, sigVal[:end]+sigVal[end+1:])
			wantReject(t, v, r, vc.now)
		})

		t.Run(vc.name+"/encoding-swapped", func(t *testing.T) {
			sig := sigVal[sigStart:]
			var swapped string
			if vc.hexSig {
				raw, err := hex.DecodeString(sig)
				if err != nil {
					t.Fatal(err)
				}
				swapped = base64.StdEncoding.EncodeToString(raw)
			} else {
				raw, err := base64.StdEncoding.DecodeString(sig)
				if err != nil {
					t.Fatal(err)
				}
				swapped = hex.EncodeToString(raw)
			}
			r := cloneReq(vc.req)
			r.Header.Set(vc.sigHeader, sigVal[:sigStart]+swapped)
			wantReject(t, v, r, vc.now)
		})

		ts := vc.tsHeader
		if ts == "" && vc.cfg.Scheme == "stripe" {
			t.Run(vc.name+"/timestamp", func(t *testing.T) {
				r := cloneReq(vc.req)
				i := strings.Index(sigVal, "t=") + 2 + len(stripeTS) - 1
				r.Header.Set(vc.sigHeader, bump(sigVal, i, digits))
				wantReject(t, v, r, vc.now)
			})
		}
		if ts != "" {
			t.Run(vc.name+"/timestamp", func(t *testing.T) {
				tv := vc.req.Header.Get(ts)
				for _, i := range []int{len(tv) - 1, len(tv) - 2} {
					r := cloneReq(vc.req)
					r.Header.Set(ts, bump(tv, i, digits))
					wantReject(t, v, r, vc.now)
				}
			})
		}
		if vc.idHeader != "" {
			t.Run(vc.name+"/id", func(t *testing.T) {
				id := vc.req.Header.Get(vc.idHeader)
				for _, i := range []int{0, len(id) / 2, len(id) - 1} {
					r := cloneReq(vc.req)
					b := []byte(id)
					b[i] ^= 0x01
					r.Header.Set(vc.idHeader, string(b))
					wantReject(t, v, r, vc.now)
				}
			})
		}
	}
}

func TestHubSpotURLAndMethodSigned(t *testing.T) {
	var vc vector
	for _, x := range vectors() {
		if x.name == "hubspot/computed" {
			vc = x
		}
	}
	v := mustNew(t, vc.cfg)
	for _, mut := range []func(*Request){
		func(r *Request) { r.Method = "PUT" },
		func(r *Request) { r.URL = "https://example.com/webhooK" },
		func(r *Request) { r.URL = "https://example.com/webhook?x=1" },
		func(r *Request) { r.URL = "http://example.com/webhook" },
	} {
		r := cloneReq(vc.req)
		mut(&r)
		wantReject(t, v, r, vc.now)
	}
	// HubSpot signs the URI with some escapes decoded.
	r := Request{Method: "POST", URL: "https://example.com/webhook?x=a%3Ab%2Cc", Body: []byte(hsBody)}
	h, err := Sign(vc.cfg, r, "", vc.now)
	if err != nil {
		t.Fatal(err)
	}
	want := base64.StdEncoding.EncodeToString(mac256([]byte(hsSecret), "POST"+"https://example.com/webhook?x=a:b,c"+hsBody+h.Get("X-HubSpot-Request-Timestamp")))
	if got := h.Get("X-HubSpot-Signature-v3"); got != want {
		t.Fatalf("hubspot signature over decoded uri: got %s want %s", got, want)
	}
	r.Header = h
	wantAccept(t, v, r, vc.now)
}

func mac256(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

func TestStandardWebhooksCases(t *testing.T) {
	v := mustNew(t, Config{Scheme: "standard", Secret: Secrets{stdSecret}})
	now := time.Unix(1614265330, 0)
	base := func(sig string) Request {
		return Request{Method: "POST", Body: []byte(stdBody),
			Header: hdr("webhook-id", stdID, "webhook-timestamp", stdTS, "webhook-signature", sig)}
	}
	cases := []struct {
		name   string
		req    Request
		now    time.Time
		accept bool
		msg    string
	}{
		{"published", base(stdSig), now, true, ""},
		{"wrong signature", base(stdBadSig), now, false, "signature does not match"},
		{"bare v1,", base("v1,"), now, false, "signature does not match"},
		{"v1 not base64", base("v1,!!!!"), now, false, "signature does not match"},
		{"only v2", base("v2," + stdSig[3:]), now, false, "signature does not match"},
		{"v2 entries, invalid v1, one valid v1", base("v2,Zm9v v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v1, v1a,x " + stdSig + " v2,YmFy"), now, true, ""},
		{"valid v1 first", base(stdSig + " v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc="), now, true, ""},
		{"missing signature header", Request{Body: []byte(stdBody), Header: hdr("webhook-id", stdID, "webhook-timestamp", stdTS)}, now, false, "missing header webhook-signature"},
		{"empty signature header", base(""), now, false, "missing header webhook-signature"},
		{"missing id header", Request{Body: []byte(stdBody), Header: hdr("webhook-timestamp", stdTS, "webhook-signature", stdSig)}, now, false, "missing header webhook-id"},
		{"missing timestamp header", Request{Body: []byte(stdBody), Header: hdr("webhook-id", stdID, "webhook-signature", stdSig)}, now, false, "missing header webhook-timestamp"},
		{"timestamp too old", base(stdSig), now.Add(5*time.Minute + time.Second), false, "timestamp 1614265330 is outside the 5m0s tolerance"},
		{"timestamp too new", base(stdSig), now.Add(-5*time.Minute - time.Second), false, "timestamp 1614265330 is outside the 5m0s tolerance"},
		{"edge old", base(stdSig), now.Add(5 * time.Minute), true, ""},
		{"edge new", base(stdSig), now.Add(-5 * time.Minute), true, ""},
		{"non-numeric timestamp", Request{Body: []byte(stdBody), Header: hdr("webhook-id", stdID, "webhook-timestamp", "16142653e0", "webhook-signature", stdSig)}, now, false, "malformed header webhook-timestamp"},
		{"svix headers", Request{Body: []byte(stdBody), Header: hdr("svix-id", stdID, "svix-timestamp", stdTS, "svix-signature", stdSig)}, now, true, ""},
		{"non-canonical header map", Request{Body: []byte(stdBody), Header: http.Header{"webhook-id": {stdID}, "webhook-timestamp": {stdTS}, "webhook-signature": {stdSig}}}, now, true, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.accept {
				wantAccept(t, v, tc.req, tc.now)
				return
			}
			e := wantReject(t, v, tc.req, tc.now, stdSecret, stdSig[3:])
			if !strings.Contains(e.Msg, tc.msg) {
				t.Fatalf("message %q does not contain %q", e.Msg, tc.msg)
			}
		})
	}
}

func TestStripeHeaderCases(t *testing.T) {
	v := mustNew(t, Config{Scheme: "stripe", Secret: Secrets{stripeSecret}})
	now := time.Unix(1614265330, 0)
	req := func(h string) Request {
		return Request{Body: []byte(stripeBody), Header: hdr("Stripe-Signature", h)}
	}
	cases := []struct {
		name, header string
		accept       bool
		msg          string
	}{
		{"ok", "t=" + stripeTS + ",v1=" + stripeSig, true, ""},
		{"spaces", "t=" + stripeTS + ", v1=" + stripeSig, true, ""},
		{"uppercase hex", "t=" + stripeTS + ",v1=" + strings.ToUpper(stripeSig), true, ""},
		{"only v0", "t=" + stripeTS + ",v0=" + stripeSig, false, "malformed header Stripe-Signature: no v1= element"},
		{"no t", "v1=" + stripeSig, false, "malformed header Stripe-Signature: no t= element"},
		{"two t", "t=" + stripeTS + ",t=1,v1=" + stripeSig, false, "more than one t="},
		{"garbage", "hello", false, "no t= element"},
		{"empty v1", "t=" + stripeTS + ",v1=", false, "signature does not match"},
		{"bad t", "t=abc,v1=" + stripeSig, false, "malformed header Stripe-Signature"},
		{"missing", "", false, "missing header Stripe-Signature"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.accept {
				wantAccept(t, v, req(tc.header), now)
				return
			}
			e := wantReject(t, v, req(tc.header), now, stripeSecret, stripeSig)
			if !strings.Contains(e.Msg, tc.msg) {
				t.Fatalf("message %q does not contain %q", e.Msg, tc.msg)
			}
		})
	}
}

// Stripe uses the whole whsec_ string as the key; Standard Webhooks
// base64-decodes what follows whsec_. Each must reject the other's signature.
func TestStripeVsStandardKeyDerivation(t *testing.T) {
	secret := stdSecret // valid for both
	now := time.Unix(1614265330, 0)
	rawKey := []byte(secret)
	decKey, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		t.Fatal(err)
	}
	body := stripeBody

	stripeV := mustNew(t, Config{Scheme: "stripe", Secret: Secrets{secret}})
	stdV := mustNew(t, Config{Scheme: "standard", Secret: Secrets{secret}})

	stripeReq := func(key []byte) Request {
		sig := hex.EncodeToString(mac256(key, stdTS+"."+body))
		return Request{Body: []byte(body), Header: hdr("Stripe-Signature", "t="+stdTS+",v1="+sig)}
	}
	stdReq := func(key []byte) Request {
		sig := base64.StdEncoding.EncodeToString(mac256(key, stdID+"."+stdTS+"."+body))
		return Request{Body: []byte(body), Header: hdr("webhook-id", stdID, "webhook-timestamp", stdTS, "webhook-signature", "v1,"+sig)}
	}
	t.Run("stripe accepts raw-key signature", func(t *testing.T) { wantAccept(t, stripeV, stripeReq(rawKey), now) })
	t.Run("stripe rejects decoded-key signature", func(t *testing.T) { wantReject(t, stripeV, stripeReq(decKey), now) })
	t.Run("standard accepts decoded-key signature", func(t *testing.T) { wantAccept(t, stdV, stdReq(decKey), now) })
	t.Run("standard rejects raw-key signature", func(t *testing.T) { wantReject(t, stdV, stdReq(rawKey), now) })
	t.Run("published standard vector fails with stripe derivation", func(t *testing.T) {
		want := base64.StdEncoding.EncodeToString(mac256(rawKey, stdID+"."+stdTS+"."+stdBody))
		if "v1,"+want == stdSig {
			t.Fatal("derivations agree")
		}
	})
	t.Run("stripe secret is not a standard secret", func(t *testing.T) {
		if _, err := New(Config{Scheme: "standard", Secret: Secrets{stripeSecret}}); err == nil {
			t.Fatal("want config error for whsec_test_secret under standard")
		}
	})
}

// rotationSecrets returns two related-looking secrets and an unrelated one valid for the scheme.
func rotationSecrets(scheme string) (old, new_, unrelated string) {
	switch scheme {
	case "standard":
		enc := func(s string) string { return "whsec_" + base64.StdEncoding.EncodeToString([]byte(s)) }
		return enc("old-key-0123456789abcdef"), enc("new-key-0123456789abcdef"), enc("other-key-0123456789abcd")
	case "basic":
		return "alice:old-pass", "alice:new-pass", "alice:other-pass"
	case "stripe":
		return "whsec_old", "whsec_new", "whsec_other"
	}
	return "old-secret", "new-secret", "other-secret"
}

// schemeConfigs returns one signing config per scheme (no secret set).
func schemeConfigs() []Config {
	return []Config{
		{Scheme: "standard"},
		{Scheme: "github"},
		{Scheme: "stripe"},
		{Scheme: "shopify"},
		{Scheme: "slack"},
		{Scheme: "hubspot"},
		{Scheme: "woocommerce"},
		{Scheme: "hmac", Header: "X-Signature"},
		{Scheme: "hmac", Header: "X-Signature", Algorithm: "sha512", Encoding: "base64", Prefix: "sha512=",
			TimestampHeader: "X-Timestamp", Content: "{timestamp}.{method}.{url}.{body}"},
		{Scheme: "hmac", Header: "X-Signature", Algorithm: "sha1"},
		{Scheme: "bearer"},
		{Scheme: "basic"},
	}
}

func cfgName(c Config) string {
	if c.Scheme == "hmac" {
		a := c.Algorithm
		if a == "" {
			a = "sha256"
		}
		n := "hmac-" + a
		if c.TimestampHeader != "" {
			n += "-ts"
		}
		return n
	}
	return c.Scheme
}

func merge(r Request, h http.Header) Request {
	r = cloneReq(r)
	if r.Header == nil {
		r.Header = http.Header{}
	}
	for k, v := range h {
		r.Header[k] = v
	}
	return r
}

func sampleRequest() Request {
	return Request{Method: "POST", URL: "https://hooks.example.com/t/orders?x=1&y=%3A",
		Header: hdr("Content-Type", "application/json"), Body: []byte(`{"id":"evt_1","type":"order.created","data":{"n":1}}`)}
}

func TestSignVerifyRoundTrip(t *testing.T) {
	now := time.Unix(1750000000, 123456789)
	for _, c := range append(schemeConfigs(), Config{Scheme: "none"}) {
		t.Run(cfgName(c), func(t *testing.T) {
			if c.Scheme != "none" {
				s, _, _ := rotationSecrets(c.Scheme)
				c.Secret = Secrets{s}
			}
			for _, body := range [][]byte{sampleRequest().Body, nil, bytes.Repeat([]byte{0, 0xff, '\n'}, 700)} {
				r := sampleRequest()
				r.Body = body
				h, err := Sign(c, r, "delivery-1", now)
				if err != nil {
					t.Fatal(err)
				}
				wantAccept(t, mustNew(t, c), merge(r, h), now)
				if c.Scheme == "none" {
					if len(h) != 0 {
						t.Fatalf("none signs nothing, got %v", h)
					}
					return
				}
				// A request without the signing headers never verifies.
				wantReject(t, mustNew(t, c), r, now)
				// Signed headers must not be reusable on another body.
				r2 := merge(r, h)
				r2.Body = append(r2.Body, '!')
				if c.Scheme != "bearer" && c.Scheme != "basic" {
					wantReject(t, mustNew(t, c), r2, now)
				}
			}
		})
	}
}

func TestSignHeaders(t *testing.T) {
	now := time.Unix(1614265330, 0)
	r := Request{Method: "POST", URL: "https://example.com/h", Body: []byte(stdBody)}
	t.Run("standard reproduces published vector", func(t *testing.T) {
		h, err := Sign(Config{Scheme: "standard", Secret: Secrets{stdSecret}}, r, stdID, now)
		if err != nil {
			t.Fatal(err)
		}
		if h.Get("webhook-id") != stdID || h.Get("webhook-timestamp") != stdTS || h.Get("webhook-signature") != stdSig {
			t.Fatalf("got %v", h)
		}
	})
	t.Run("standard generates an id", func(t *testing.T) {
		h, _ := Sign(Config{Scheme: "standard", Secret: Secrets{stdSecret}}, r, "", now)
		if !strings.HasPrefix(h.Get("webhook-id"), "msg_") {
			t.Fatalf("got %v", h)
		}
	})
	t.Run("github", func(t *testing.T) {
		h, _ := Sign(Config{Scheme: "github", Secret: Secrets{ghSecret}}, Request{Body: []byte(ghBody)}, "guid-1", now)
		if h.Get("X-Hub-Signature-256") != ghSig || h.Get("X-GitHub-Delivery") != "guid-1" || !strings.HasPrefix(h.Get("X-Hub-Signature"), "sha1=") {
			t.Fatalf("got %v", h)
		}
	})
	t.Run("stripe", func(t *testing.T) {
		h, _ := Sign(Config{Scheme: "stripe", Secret: Secrets{stripeSecret}}, Request{Body: []byte(stripeBody)}, "", now)
		if h.Get("Stripe-Signature") != "t="+stripeTS+",v1="+stripeSig {
			t.Fatalf("got %v", h)
		}
	})
	t.Run("slack", func(t *testing.T) {
		h, _ := Sign(Config{Scheme: "slack", Secret: Secrets{slackSecret}}, Request{Body: []byte(slackBody)}, "", time.Unix(1531420618, 0))
		if h.Get("X-Slack-Signature") != slackSig || h.Get("X-Slack-Request-Timestamp") != slackTS {
			t.Fatalf("got %v", h)
		}
	})
	t.Run("shopify", func(t *testing.T) {
		h, _ := Sign(Config{Scheme: "shopify", Secret: Secrets{shopSecret}}, Request{Body: []byte(shopBody)}, "wh-1", now)
		if h.Get("X-Shopify-Hmac-Sha256") != shopSig || h.Get("X-Shopify-Webhook-Id") != "wh-1" {
			t.Fatalf("got %v", h)
		}
	})
	t.Run("woocommerce", func(t *testing.T) {
		h, _ := Sign(Config{Scheme: "woocommerce", Secret: Secrets{shopSecret}}, Request{Body: []byte(shopBody)}, "d-1", now)
		if h.Get("X-WC-Webhook-Signature") != shopSig || h.Get("X-WC-Webhook-ID") != "d-1" || h.Get("X-WC-Webhook-Delivery-ID") != "d-1" {
			t.Fatalf("got %v", h)
		}
	})
	t.Run("hubspot", func(t *testing.T) {
		h, _ := Sign(Config{Scheme: "hubspot", Secret: Secrets{hsSecret}}, Request{Method: "POST", URL: hsURL, Body: []byte(hsBody)}, "", time.UnixMilli(1700000000000))
		if h.Get("X-HubSpot-Signature-v3") != hsSig || h.Get("X-HubSpot-Request-Timestamp") != hsTS {
			t.Fatalf("got %v", h)
		}
	})
	t.Run("bearer", func(t *testing.T) {
		h, _ := Sign(Config{Scheme: "bearer", Secret: Secrets{"tok", "old"}}, r, "", now)
		if h.Get("Authorization") != "Bearer tok" {
			t.Fatalf("got %v", h)
		}
	})
	t.Run("basic", func(t *testing.T) {
		h, _ := Sign(Config{Scheme: "basic", Secret: Secrets{"user:pa:ss"}}, r, "", now)
		if h.Get("Authorization") != "Basic "+base64.StdEncoding.EncodeToString([]byte("user:pa:ss")) {
			t.Fatalf("got %v", h)
		}
	})
	t.Run("sign rejects bad config", func(t *testing.T) {
		if _, err := Sign(Config{Scheme: "standard", Secret: Secrets{"nope"}}, r, "", now); err == nil {
			t.Fatal("want error")
		}
	})
}

func TestRotation(t *testing.T) {
	now := time.Unix(1750000000, 0)
	for _, c := range schemeConfigs() {
		t.Run(cfgName(c), func(t *testing.T) {
			old, nw, other := rotationSecrets(c.Scheme)
			both := c
			both.Secret = Secrets{old, nw}
			v := mustNew(t, both)
			for _, tc := range []struct {
				secret string
				accept bool
			}{{old, true}, {nw, true}, {other, false}} {
				sc := c
				sc.Secret = Secrets{tc.secret}
				r := sampleRequest()
				h, err := Sign(sc, r, "id-1", now)
				if err != nil {
					t.Fatal(err)
				}
				if tc.accept {
					wantAccept(t, v, merge(r, h), now)
				} else {
					wantReject(t, v, merge(r, h), now, old, nw, other)
				}
			}
		})
	}
}

func TestTolerance(t *testing.T) {
	signedAt := time.Unix(1750000000, 0)
	for _, c := range schemeConfigs() {
		if !SchemeDefaults(c).SignsTimestamp {
			continue
		}
		for _, tol := range []time.Duration{0, 30 * time.Second} {
			eff := tol
			if eff == 0 {
				eff = DefaultTolerance
			}
			t.Run(cfgName(c)+"/"+eff.String(), func(t *testing.T) {
				s, _, _ := rotationSecrets(c.Scheme)
				c.Secret = Secrets{s}
				c.Tolerance = tol
				r := sampleRequest()
				h, err := Sign(c, r, "id", signedAt)
				if err != nil {
					t.Fatal(err)
				}
				r = merge(r, h)
				v := mustNew(t, c)
				for _, tc := range []struct {
					skew   time.Duration
					accept bool
				}{
					{0, true},
					{eff, true},
					{-eff, true},
					{eff + time.Second, false},
					{-eff - time.Second, false},
					{24 * time.Hour, false},
					{-24 * time.Hour, false},
				} {
					now := signedAt.Add(tc.skew)
					if tc.accept {
						wantAccept(t, v, r, now)
						continue
					}
					e := wantReject(t, v, r, now)
					if !strings.Contains(e.Msg, "outside the "+eff.String()+" tolerance") {
						t.Fatalf("skew %s: message %q", tc.skew, e.Msg)
					}
				}
			})
		}
	}
}

func TestToleranceMessage(t *testing.T) {
	v := mustNew(t, Config{Scheme: "standard", Secret: Secrets{stdSecret}})
	r := Request{Body: []byte(stdBody), Header: hdr("webhook-id", stdID, "webhook-timestamp", stdTS, "webhook-signature", stdSig)}
	err := v.Verify(r, time.Unix(1614265330+3600, 0))
	if err == nil || err.Error() != "timestamp 1614265330 is outside the 5m0s tolerance" {
		t.Fatalf("got %v", err)
	}
}

func TestFailureMessages(t *testing.T) {
	now := time.Unix(1750000000, 0)
	cases := []struct {
		name string
		cfg  Config
		hdr  http.Header
		msg  string
	}{
		{"github missing", Config{Scheme: "github", Secret: Secrets{"gh-secret"}}, hdr(), "missing header X-Hub-Signature-256"},
		{"github sha1 only", Config{Scheme: "github", Secret: Secrets{"gh-secret"}}, hdr("X-Hub-Signature-256", "sha1=00"), "malformed header X-Hub-Signature-256"},
		{"github not hex", Config{Scheme: "github", Secret: Secrets{"gh-secret"}}, hdr("X-Hub-Signature-256", "sha256=zz"), "signature is not hex"},
		{"slack missing ts", Config{Scheme: "slack", Secret: Secrets{"sekrit"}}, hdr("X-Slack-Signature", "v0=00"), "missing header X-Slack-Request-Timestamp"},
		{"slack wrong version", Config{Scheme: "slack", Secret: Secrets{"sekrit"}}, hdr("X-Slack-Signature", "v1=00", "X-Slack-Request-Timestamp", "1750000000"), "malformed header X-Slack-Signature"},
		{"shopify missing", Config{Scheme: "shopify", Secret: Secrets{"sekrit"}}, hdr(), "missing header X-Shopify-Hmac-Sha256"},
		{"shopify not base64", Config{Scheme: "shopify", Secret: Secrets{"sekrit"}}, hdr("X-Shopify-Hmac-Sha256", "***"), "not base64"},
		{"woo missing", Config{Scheme: "woocommerce", Secret: Secrets{"sekrit"}}, hdr(), "missing header X-WC-Webhook-Signature"},
		{"hubspot missing ts", Config{Scheme: "hubspot", Secret: Secrets{"sekrit"}}, hdr("X-HubSpot-Signature-v3", "AAAA"), "missing header X-HubSpot-Request-Timestamp"},
		{"hmac prefix", Config{Scheme: "hmac", Secret: Secrets{"sekrit"}, Header: "X-Sig", Prefix: "sha256="}, hdr("X-Sig", "00"), `missing prefix "sha256="`},
		{"bearer missing", Config{Scheme: "bearer", Secret: Secrets{"tok"}}, hdr(), "missing header Authorization"},
		{"bearer wrong kind", Config{Scheme: "bearer", Secret: Secrets{"tok"}}, hdr("Authorization", "Basic dG9r"), "want Bearer credentials"},
		{"bearer wrong", Config{Scheme: "bearer", Secret: Secrets{"tok"}}, hdr("Authorization", "Bearer tok2"), "credentials do not match"},
		{"bearer case-insensitive kind", Config{Scheme: "bearer", Secret: Secrets{"tok"}}, hdr("Authorization", "bearer tok"), ""},
		{"basic wrong", Config{Scheme: "basic", Secret: Secrets{"u:p"}}, hdr("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("u:q"))), "credentials do not match"},
		{"basic not base64", Config{Scheme: "basic", Secret: Secrets{"u:p"}}, hdr("Authorization", "Basic u:p"), "malformed header Authorization"},
		{"basic ok", Config{Scheme: "basic", Secret: Secrets{"u:p"}}, hdr("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("u:p"))), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := mustNew(t, tc.cfg)
			r := Request{Method: "POST", Body: []byte("x"), Header: tc.hdr}
			if tc.msg == "" {
				wantAccept(t, v, r, now)
				return
			}
			e := wantReject(t, v, r, now, tc.cfg.Secret...)
			if !strings.Contains(e.Msg, tc.msg) {
				t.Fatalf("message %q does not contain %q", e.Msg, tc.msg)
			}
		})
	}
}

func TestConfigErrors(t *testing.T) {
	cases := []struct {
		name string
		cfg  Config
		msg  string // "" = valid
	}{
		{"empty scheme", Config{}, "verify.scheme is required; write `scheme: none` to accept unsigned requests"},
		{"unknown scheme", Config{Scheme: "foo"}, `verify.scheme "foo" is unknown (want one of standard, github, stripe, shopify, slack, hubspot, woocommerce, hmac, bearer, basic, none)`},
		{"missing secret", Config{Scheme: "github"}, "verify.secret is required for scheme github"},
		{"empty secret", Config{Scheme: "github", Secret: Secrets{""}}, "verify.secret is empty"},
		{"empty rotated secret", Config{Scheme: "github", Secret: Secrets{"a", ""}}, "verify.secret[1] is empty"},
		{"standard no prefix", Config{Scheme: "standard", Secret: Secrets{"MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}}, "standard secret must start with whsec_ and be base64"},
		{"standard not base64", Config{Scheme: "standard", Secret: Secrets{"whsec_not base64!"}}, "standard secret must start with whsec_ and be base64"},
		{"standard second secret bad", Config{Scheme: "standard", Secret: Secrets{stdSecret, "x"}}, "verify.secret[1]: standard secret must start with whsec_"},
		{"standard ok", Config{Scheme: " Standard ", Secret: Secrets{stdSecret}}, ""},
		{"none with secret", Config{Scheme: "none", Secret: Secrets{"x"}}, "verify.secret is not used by scheme none"},
		{"none ok", Config{Scheme: "none"}, ""},
		{"negative tolerance", Config{Scheme: "slack", Secret: Secrets{"x"}, Tolerance: -time.Second}, "verify.tolerance must not be negative"},
		{"header on github", Config{Scheme: "github", Secret: Secrets{"x"}, Header: "X-Sig"}, "verify.header is only used by scheme hmac"},
		{"hmac no header", Config{Scheme: "hmac", Secret: Secrets{"x"}}, "verify.header is required for scheme hmac"},
		{"hmac bad algorithm", Config{Scheme: "hmac", Secret: Secrets{"x"}, Header: "X-Sig", Algorithm: "md5"}, `verify.algorithm "md5" is unknown (want sha256, sha1 or sha512)`},
		{"hmac bad encoding", Config{Scheme: "hmac", Secret: Secrets{"x"}, Header: "X-Sig", Encoding: "base32"}, `verify.encoding "base32" is unknown (want hex or base64)`},
		{"hmac unknown placeholder", Config{Scheme: "hmac", Secret: Secrets{"x"}, Header: "X-Sig", Content: "{id}.{body}"}, "verify.content has unknown placeholder {id}"},
		{"hmac no body", Config{Scheme: "hmac", Secret: Secrets{"x"}, Header: "X-Sig", Content: "{method}"}, "verify.content must contain {body}"},
		{"hmac timestamp without header", Config{Scheme: "hmac", Secret: Secrets{"x"}, Header: "X-Sig", Content: "{timestamp}.{body}"}, "verify.timestamp_header is not set"},
		{"hmac timestamp header unsigned", Config{Scheme: "hmac", Secret: Secrets{"x"}, Header: "X-Sig", TimestampHeader: "X-Ts"}, "add {timestamp} to verify.content"},
		{"hmac literal braces ok", Config{Scheme: "hmac", Secret: Secrets{"x"}, Header: "X-Sig", Content: `{"k":1}{body}{ }`}, ""},
		{"basic no colon", Config{Scheme: "basic", Secret: Secrets{"userpass"}}, "basic secret must be user:password"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg)
			if tc.msg == "" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("want error containing %q", tc.msg)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("error %q does not contain %q", err, tc.msg)
			}
			var ve *Error
			if errors.As(err, &ve) {
				t.Fatalf("config error must not be *Error (401)")
			}
			for _, s := range tc.cfg.Secret {
				if len(s) > 2 && strings.Contains(err.Error(), s) {
					t.Fatalf("config error %q leaks secret", err)
				}
			}
		})
	}
}

func TestHMACContentTemplate(t *testing.T) {
	c := Config{Scheme: "hmac", Secret: Secrets{"k"}, Header: "X-Sig", TimestampHeader: "X-Ts",
		Content: `{"t":{timestamp}}|{method} {url}|{body}`}
	r := Request{Method: "PUT", URL: "https://e.x/a", Body: []byte("B")}
	now := time.Unix(1700000000, 0)
	h, err := Sign(c, r, "", now)
	if err != nil {
		t.Fatal(err)
	}
	want := hex.EncodeToString(mac256([]byte("k"), `{"t":1700000000}|PUT https://e.x/a|B`))
	if h.Get("X-Sig") != want || h.Get("X-Ts") != "1700000000" {
		t.Fatalf("got %v want sig %s", h, want)
	}
}

func TestSchemesAndDefaults(t *testing.T) {
	want := []string{"standard", "github", "stripe", "shopify", "slack", "hubspot", "woocommerce", "hmac", "bearer", "basic", "none"}
	if got := Schemes(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("Schemes() = %v", got)
	}
	cases := []struct {
		cfg  Config
		want Defaults
	}{
		{Config{Scheme: "standard"}, Defaults{EventIDHeader: "webhook-id", EventIDAltHeader: "svix-id", PayloadType: "type", SignsTimestamp: true}},
		{Config{Scheme: "github"}, Defaults{EventIDHeader: "X-GitHub-Delivery", EventTypeHeader: "X-GitHub-Event"}},
		{Config{Scheme: "stripe"}, Defaults{PayloadID: "id", PayloadType: "type", SignsTimestamp: true}},
		{Config{Scheme: "shopify"}, Defaults{EventIDHeader: "X-Shopify-Webhook-Id", EventTypeHeader: "X-Shopify-Topic"}},
		{Config{Scheme: "woocommerce"}, Defaults{EventIDHeader: "X-WC-Webhook-Delivery-ID", EventTypeHeader: "X-WC-Webhook-Topic"}},
		{Config{Scheme: "slack"}, Defaults{SignsTimestamp: true}},
		{Config{Scheme: "hubspot"}, Defaults{SignsTimestamp: true}},
		{Config{Scheme: "hmac"}, Defaults{}},
		{Config{Scheme: "hmac", TimestampHeader: "X-Ts"}, Defaults{SignsTimestamp: true}},
		{Config{Scheme: "bearer"}, Defaults{}},
		{Config{Scheme: "basic"}, Defaults{}},
		{Config{Scheme: "none"}, Defaults{}},
		{Config{Scheme: "nope"}, Defaults{}},
	}
	for _, tc := range cases {
		t.Run(cfgName(tc.cfg)+strconv.FormatBool(tc.cfg.TimestampHeader != ""), func(t *testing.T) {
			if got := SchemeDefaults(tc.cfg); got != tc.want {
				t.Fatalf("got %+v want %+v", got, tc.want)
			}
		})
	}
}
