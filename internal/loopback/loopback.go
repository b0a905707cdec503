// Package loopback tells requests made on this machine, straight to the
// process, from everything else. dev's pages and the dashboard answer
// such requests without a token; a web page whose name resolves to
// 127.0.0.1 (DNS rebinding) names another host, and a reverse proxy or a
// tunnel on this machine (ngrok forwarding a provider's webhooks to dev)
// adds forwarding headers, so neither passes.
package loopback

import (
	"net"
	"net/http"
	"strings"
)

// Host reports whether host (a name, an IP, either with a port) names this
// machine: localhost or a loopback address.
func Host(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// forwarded are the headers a proxy adds; a request that has one came
// through something that may serve others.
var forwarded = []string{"Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Real-Ip"}

// Request reports whether r came from a loopback peer, names a loopback
// Host, and passed through no proxy.
func Request(r *http.Request) bool {
	for _, h := range forwarded {
		if r.Header.Get(h) != "" {
			return false
		}
	}
	peer, _, err := net.SplitHostPort(r.RemoteAddr)
	return err == nil && Host(peer) && Host(r.Host)
}
