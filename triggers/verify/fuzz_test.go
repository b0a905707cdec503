package verify

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Fuzz targets: one per header parser. None may panic; every failure must be
// an *Error that does not mention the secret; Sign then Verify must always
// round-trip for whatever body (and id/url/method) the fuzzer invents.

const fuzzSecret = "fuzz-secret-DO-NOT-LEAK-0123456789"

var fuzzNow = time.Unix(1614265330, 0)

func checkErr(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var ve *Error
	if !errors.As(err, &ve) {
		t.Fatalf("failure is %T, not *Error: %v", err, err)
	}
	if strings.Contains(err.Error(), fuzzSecret) || strings.Contains(err.Error(), stdSecret) {
		t.Fatalf("error leaks secret: %q", err)
	}
}

func roundTrip(t *testing.T, c Config, r Request, id string) {
	t.Helper()
	h, err := Sign(c, r, id, fuzzNow)
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	v, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Verify(merge(r, h), fuzzNow); err != nil {
		t.Fatalf("round trip failed: %v", err)
	}
}

func FuzzStandardHeader(f *testing.F) {
	f.Add(stdSig, stdID, stdTS, []byte(stdBody))
	f.Add("v1,", stdID, stdTS, []byte(stdBody))
	f.Add("v2,Zm9v v1,"+stdBadSig[3:]+" "+stdSig, stdID, stdTS, []byte(stdBody))
	f.Add("v1,,, ,v1 v1,====", "", "-1", []byte{})
	f.Add(stdSig, stdID, "99999999999999999999", []byte(stdBody))
	c := Config{Scheme: "standard", Secret: Secrets{stdSecret}}
	v := mustNew(f, c)
	f.Fuzz(func(t *testing.T, sig, id, ts string, body []byte) {
		r := Request{Method: "POST", Body: body,
			Header: hdr("webhook-id", id, "webhook-timestamp", ts, "webhook-signature", sig)}
		checkErr(t, v.Verify(r, fuzzNow))
		if id != "" {
			roundTrip(t, c, Request{Method: "POST", Body: body}, id)
		}
	})
}

func FuzzStripeHeader(f *testing.F) {
	f.Add("t="+stripeTS+",v1="+stripeSig, []byte(stripeBody))
	f.Add("t="+stripeTS+",v0=00,v1=zz,v1="+stripeSig, []byte(stripeBody))
	f.Add("t=,v1=", []byte{})
	f.Add(",,,==,t==,v1==", []byte("x"))
	f.Add("t=1,t=2,v1=00", []byte("x"))
	c := Config{Scheme: "stripe", Secret: Secrets{"whsec_" + fuzzSecret}}
	v := mustNew(f, c)
	vec := mustNew(f, Config{Scheme: "stripe", Secret: Secrets{stripeSecret}})
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		r := Request{Method: "POST", Body: body, Header: hdr("Stripe-Signature", header)}
		checkErr(t, v.Verify(r, fuzzNow))
		_ = vec.Verify(r, fuzzNow)
		roundTrip(t, c, Request{Body: body}, "")
	})
}

func FuzzSlack(f *testing.F) {
	f.Add(slackSig, slackTS, []byte(slackBody))
	f.Add("v0=", "", []byte{})
	f.Add("v0=zz", "1531420618", []byte("a"))
	f.Add("v1="+slackSig[3:], "+1531420618", []byte("a"))
	c := Config{Scheme: "slack", Secret: Secrets{fuzzSecret}}
	v := mustNew(f, c)
	f.Fuzz(func(t *testing.T, sig, ts string, body []byte) {
		r := Request{Method: "POST", Body: body, Header: hdr("X-Slack-Signature", sig, "X-Slack-Request-Timestamp", ts)}
		checkErr(t, v.Verify(r, fuzzNow))
		roundTrip(t, c, Request{Body: body}, "")
	})
}

func FuzzGitHub(f *testing.F) {
	f.Add(ghSig, []byte(ghBody))
	f.Add("sha256=", []byte{})
	f.Add("sha1=0000", []byte("x"))
	f.Add("sha256=ZZ", []byte("x"))
	c := Config{Scheme: "github", Secret: Secrets{fuzzSecret}}
	v := mustNew(f, c)
	f.Fuzz(func(t *testing.T, sig string, body []byte) {
		r := Request{Method: "POST", Body: body, Header: hdr("X-Hub-Signature-256", sig)}
		checkErr(t, v.Verify(r, fuzzNow))
		roundTrip(t, c, Request{Body: body}, "delivery")
	})
}

func FuzzBase64Body(f *testing.F) {
	f.Add(shopSig, []byte(shopBody))
	f.Add("====", []byte{})
	f.Add("VnKUjZsLuN5iZWjn5EntcBVCF9kMN43LglzCE1/GSeY", []byte(shopBody))
	f.Add("VnKUjZsLuN5iZWjn5EntcBVCF9kMN43LglzCE1/GSeZ=", []byte(shopBody))
	shop := Config{Scheme: "shopify", Secret: Secrets{fuzzSecret}}
	woo := Config{Scheme: "woocommerce", Secret: Secrets{fuzzSecret}}
	vs, vw := mustNew(f, shop), mustNew(f, woo)
	f.Fuzz(func(t *testing.T, sig string, body []byte) {
		checkErr(t, vs.Verify(Request{Body: body, Header: hdr("X-Shopify-Hmac-Sha256", sig)}, fuzzNow))
		checkErr(t, vw.Verify(Request{Body: body, Header: hdr("X-WC-Webhook-Signature", sig)}, fuzzNow))
		roundTrip(t, shop, Request{Body: body}, "id")
		roundTrip(t, woo, Request{Body: body}, "id")
	})
}

func FuzzHubSpot(f *testing.F) {
	f.Add(hsSig, hsTS, "POST", hsURL, []byte(hsBody))
	f.Add("", "", "", "", []byte{})
	f.Add("AAAA", "1614265330000", "GET", "https://x.example/%3A%2f%3F?q=%2C", []byte("x"))
	c := Config{Scheme: "hubspot", Secret: Secrets{fuzzSecret}}
	v := mustNew(f, c)
	f.Fuzz(func(t *testing.T, sig, ts, method, url string, body []byte) {
		r := Request{Method: method, URL: url, Body: body,
			Header: hdr("X-HubSpot-Signature-v3", sig, "X-HubSpot-Request-Timestamp", ts)}
		checkErr(t, v.Verify(r, fuzzNow))
		roundTrip(t, c, Request{Method: method, URL: url, Body: body}, "")
	})
}

func FuzzHMAC(f *testing.F) {
	f.Add("sha256=00", "1614265330", "{timestamp}.{body}", []byte("x"))
	f.Add("", "", "", []byte{})
	f.Add("sha256=", "abc", "{method} {url} {body} {timestamp}", []byte("x"))
	f.Add("zz", "1", `{"a":{body}}{timestamp}{`, []byte("x"))
	f.Add("00", "1", "{body}{unknown}", []byte("x"))
	f.Fuzz(func(t *testing.T, sig, ts, content string, body []byte) {
		for _, enc := range []string{"hex", "base64"} {
			c := Config{Scheme: "hmac", Secret: Secrets{fuzzSecret}, Header: "X-Sig", Prefix: "sha256=",
				Encoding: enc, TimestampHeader: "X-Ts", Content: content}
			v, err := New(c)
			if err != nil {
				// Invalid templates must be config errors, not *Error.
				var ve *Error
				if errors.As(err, &ve) {
					t.Fatalf("config error is *Error: %v", err)
				}
				c.Content = "{timestamp}:{body}"
				v = mustNew(t, c)
			}
			r := Request{Method: "POST", URL: "https://e.x/h", Body: body, Header: hdr("X-Sig", sig, "X-Ts", ts)}
			checkErr(t, v.Verify(r, fuzzNow))
			roundTrip(t, c, Request{Method: "POST", URL: "https://e.x/h", Body: body}, "")
		}
	})
}

func FuzzAuthorization(f *testing.F) {
	f.Add("Bearer tok")
	f.Add("Basic dTpw")
	f.Add("Basic ")
	f.Add("bearer")
	f.Add(" Basic  ====")
	bearer := mustNew(f, Config{Scheme: "bearer", Secret: Secrets{fuzzSecret}})
	basic := mustNew(f, Config{Scheme: "basic", Secret: Secrets{"user:" + fuzzSecret}})
	f.Fuzz(func(t *testing.T, auth string) {
		h := http.Header{}
		h.Set("Authorization", auth)
		checkErr(t, bearer.Verify(Request{Header: h}, fuzzNow))
		checkErr(t, basic.Verify(Request{Header: h}, fuzzNow))
	})
}
