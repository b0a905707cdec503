package integrations

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"code.dny.dev/ssrf"
)

// The guard's decisions, asserted without opening a connection to any of
// these addresses.
func TestGuardDecides(t *testing.T) {
	loopback := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	tests := []struct {
		name    string
		network string
		address string
		allow   []netip.Prefix
		ok      bool
	}{
		{"private 10/8", "tcp4", "10.0.0.1:443", nil, false},
		{"private 192.168/16", "tcp4", "192.168.1.1:80", nil, false},
		{"private 172.16/12", "tcp4", "172.16.0.1:8080", nil, false},
		{"link-local metadata", "tcp4", "169.254.169.254:80", nil, false},
		{"loopback v4", "tcp4", "127.0.0.1:8080", nil, false},
		{"loopback v6", "tcp6", "[::1]:8080", nil, false},
		{"unique local v6", "tcp6", "[fc00::1]:443", nil, false},
		{"v4-mapped loopback", "tcp6", "[::ffff:127.0.0.1]:80", nil, false},
		{"CGNAT", "tcp4", "100.64.0.1:443", nil, false},
		{"unspecified", "tcp4", "0.0.0.0:80", nil, false},
		{"public v4", "tcp4", "93.184.216.34:443", nil, true},
		{"public v4 any port", "tcp4", "93.184.216.34:8443", nil, true},
		{"public v6", "tcp6", "[2606:2800:220:1:248:1893:25c8:1946]:443", nil, true},
		{"loopback allowed", "tcp4", "127.0.0.1:8080", loopback, true},
		{"v4-mapped loopback allowed", "tcp6", "[::ffff:127.0.0.1]:80", loopback, true},
		{"allow list is not a blanket pass", "tcp4", "10.0.0.1:443", loopback, false},
		{"v6 loopback not allowed by a v4 prefix", "tcp6", "[::1]:8080", loopback, false},
		{"v6 loopback allowed", "tcp6", "[::1]:8080", []netip.Prefix{netip.MustParsePrefix("::1/128")}, true},
		{"mapped prefix in allow list", "tcp4", "10.1.2.3:80", []netip.Prefix{netip.MustParsePrefix("::ffff:10.0.0.0/104")}, true},
		{"udp", "udp4", "93.184.216.34:53", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := newGuard(tt.allow).control(tt.network, tt.address, nil)
			if (err == nil) != tt.ok {
				t.Fatalf("control(%s, %s) = %v, want allowed=%v", tt.network, tt.address, err, tt.ok)
			}
			if err != nil && !errors.Is(err, ssrf.ErrProhibitedIP) && !errors.Is(err, ssrf.ErrProhibitedNetwork) {
				t.Errorf("refusal %v is not an ssrf error", err)
			}
		})
	}
}

// A real call to a loopback server is refused at dial time without the
// allow list, and goes through with 127.0.0.0/8 allowed.
func TestGuardLive(t *testing.T) {
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		w.Write([]byte(`{"ok":true}`))
	}))
	defer srv.Close()

	refused := NewSet(nil, testIntegration(srv.URL))
	res, err := refused.Call(context.Background(), Call{Integration: "t", Operation: "do", IdempotencyKey: "wf/r/s"})
	var ce *Error
	if !errors.As(err, &ce) || ce.Retryable || ce.Status != 0 {
		t.Fatalf("without allow list: err = %#v, want a non-retryable *Error", err)
	}
	if hits != 0 || res.Response != nil {
		t.Fatalf("request reached the server (%d hits)", hits)
	}
	if res.Request.URL == "" {
		t.Errorf("the refused request was not recorded")
	}
	t.Logf("refused: %s", ce.Message)

	allowed := NewSet([]netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, testIntegration(srv.URL))
	res, err = allowed.Call(context.Background(), Call{Integration: "t", Operation: "do", IdempotencyKey: "wf/r/s"})
	if err != nil {
		t.Fatalf("with 127.0.0.0/8 allowed: %v", err)
	}
	if hits != 1 || res.Response == nil || res.Response.Status != 200 {
		t.Fatalf("hits = %d, response = %+v", hits, res.Response)
	}
}
