package integrations

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The vendor's error text is cut to a few hundred characters. Redacting
// after the cut left a secret's prefix in the message when the cut fell
// inside it; the secret is redacted first now.
func TestVendorTextRedactedBeforeCut(t *testing.T) {
	for pad := maxVendorText - len(testSecret) + 1; pad < maxVendorText; pad++ {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(400)
			_, _ = w.Write([]byte(strings.Repeat("x", pad) + testSecret + " rest"))
		}))
		s := NewSet(loopback, testIntegration(srv.URL))
		_, err := s.Call(context.Background(), Call{Integration: "t", Operation: "do"})
		srv.Close()
		var ce *Error
		if !errors.As(err, &ce) {
			t.Fatalf("err %v", err)
		}
		if strings.Contains(ce.Message, testSecret[:minSecret]) {
			t.Fatalf("pad %d: message keeps a prefix of the secret: …%s", pad, ce.Message[max(0, len(ce.Message)-60):])
		}
	}
}

// A Location or Content-Location URL is recorded without its credentials.
func TestRecordedLocationRedacted(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "https://user:pw-canary@files.example/x?X-Amz-Signature=sig-canary&access_token=tok-canary&page=2")
		w.Header().Set("Content-Location", "/y?api_key=key-canary")
		w.WriteHeader(201)
	}))
	defer srv.Close()
	s := NewSet(loopback, testIntegration(srv.URL))
	res, err := s.Call(context.Background(), Call{Integration: "t", Operation: "do"})
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range res.Response.Headers {
		if strings.Contains(v, "canary") {
			t.Errorf("recorded %s: %s", k, v)
		}
	}
	if !strings.Contains(res.Response.Headers["Location"], "page=2") {
		t.Errorf("Location lost its harmless parts: %s", res.Response.Headers["Location"])
	}
}
