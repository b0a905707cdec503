package bench

import (
	"strings"
	"testing"
)

func TestCheckLoopback(t *testing.T) {
	for _, c := range []struct {
		url string
		ok  bool
	}{
		{"http://127.0.0.1:18080", true},
		{"http://127.9.9.9:1", true},
		{"http://[::1]:8080/x", true},
		{"http://localhost:8080", true},
		{"https://LOCALHOST", true},
		{"http://10.0.0.5:8080", false},
		{"http://192.168.1.1", false},
		{"http://example.com", false},
		{"http://localhost.example.com", false},
		{"ftp://127.0.0.1/", false},
		{"127.0.0.1:8080", false},
	} {
		err := CheckLoopback(c.url)
		if (err == nil) != c.ok {
			t.Errorf("CheckLoopback(%q) = %v, want ok=%v", c.url, err, c.ok)
		}
		if err != nil && c.ok == false && strings.Contains(c.url, "10.0.0.5") && !strings.Contains(err.Error(), "--allow-remote") {
			t.Errorf("the refusal should say how to allow a remote target: %v", err)
		}
	}
}
