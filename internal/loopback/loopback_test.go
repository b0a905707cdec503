package loopback

import (
	"net/http/httptest"
	"testing"
)

func TestHost(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "LOCALHOST:8080": true, "127.0.0.1": true, "127.0.0.1:8080": true,
		"[::1]:8080": true, "::1": true, "127.9.9.9": true,
		"rebind.example:8080": false, "10.0.0.1": false, "": false, "localhost.example": false,
		"0.0.0.0": false, "[::ffff:8.8.8.8]:80": false,
	} {
		if got := Host(host); got != want {
			t.Errorf("Host(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestRequest(t *testing.T) {
	req := func(remote, host string, header ...string) bool {
		r := httptest.NewRequest("GET", "/status", nil)
		r.RemoteAddr, r.Host = remote, host
		for i := 0; i+1 < len(header); i += 2 {
			r.Header.Set(header[i], header[i+1])
		}
		return Request(r)
	}
	if !req("127.0.0.1:5555", "127.0.0.1:8080") || !req("[::1]:5555", "localhost:8080") {
		t.Error("a request made on this machine was refused")
	}
	if req("127.0.0.1:5555", "rebind.example:8080") {
		t.Error("DNS rebinding (a foreign Host from loopback) passed")
	}
	if req("192.0.2.7:5555", "127.0.0.1:8080") {
		t.Error("a remote peer passed")
	}
	for _, h := range forwarded {
		if req("127.0.0.1:5555", "127.0.0.1:8080", h, "203.0.113.9") {
			t.Errorf("a request through a proxy (%s) passed", h)
		}
	}
}
