package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/internal/codec"
)

// dev's codec: a project token is required of every caller, loopback or
// not; a made-up one is handed to loopback callers; and a request whose Host
// is not this machine (DNS rebinding) is refused either way.
func TestDevCodecGuard(t *testing.T) {
	keys, err := codec.ParseKeys("k1:" + strings.Repeat("A", 43) + "=")
	if err != nil {
		t.Fatal(err)
	}
	c, err := codec.New(keys)
	if err != nil {
		t.Fatal(err)
	}
	post := func(h http.Handler, host, auth string) int {
		r := httptest.NewRequest("POST", "http://"+host+codec.DecodePath, strings.NewReader(`{"payloads":[]}`))
		r.RemoteAddr = "127.0.0.1:5555"
		r.Header.Set("Content-Type", "application/json")
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	const projectToken = "project-codec-token-0123456789"
	set := devCodec(codec.Handler(c, projectToken, nil), projectToken, false)
	if got := post(set, "127.0.0.1:8080", ""); got != http.StatusUnauthorized {
		t.Errorf("project token set, loopback caller without it: %d, want 401", got)
	}
	if got := post(set, "127.0.0.1:8080", "Bearer "+projectToken); got != http.StatusOK {
		t.Errorf("project token set and sent: %d, want 200", got)
	}
	made := devCodec(codec.Handler(c, "made-up", nil), "made-up", true)
	if got := post(made, "localhost:8080", ""); got != http.StatusOK {
		t.Errorf("no project token, loopback caller: %d, want 200", got)
	}
	for _, h := range []http.Handler{set, made} {
		if got := post(h, "rebind.evil.example:8080", "Bearer "+projectToken); got != http.StatusForbidden {
			t.Errorf("Host rebind.evil.example: %d, want 403", got)
		}
	}
}
