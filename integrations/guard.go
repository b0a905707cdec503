package integrations

import (
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"

	"code.dny.dev/ssrf"
)

// Guard decides, at dial time and on the resolved address, whether an
// outbound connection may be made: public unicast addresses yes; loopback,
// private, link-local, CGNAT, multicast and the like only when allowed.
// Checking at dial time defeats DNS rebinding. code.dny.dev/ssrf keeps the
// IANA special-purpose registries current so we do not hand-maintain them.
type Guard struct {
	allow    []netip.Prefix
	guardian *ssrf.Guardian
}

// NewGuard returns a guard that lets the allow-listed networks through.
func NewGuard(allow []netip.Prefix) *Guard {
	return &Guard{allow: allow, guardian: ssrf.New(ssrf.WithAnyPort())}
}

// Check is a net.Dialer Control function.
func (g *Guard) Check(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return err
	}
	ip := ap.Addr().Unmap()
	for _, p := range g.allow {
		if p.Contains(ip) {
			return nil
		}
	}
	if err := g.guardian.SafeAddr(ip); err != nil {
		return &net.AddrError{Err: "refused by the SSRF guard (" + err.Error() + "); add its network to outbound.allow_networks if this is intended", Addr: ip.String()}
	}
	return nil
}

// maxResponse bounds how much of a response is read.
const maxResponse = 1 << 20

// newHTTPClient is the one outbound client: guarded dialing, no redirects,
// bounded connect and header timeouts. Per-attempt timeouts come from ctx.
func newHTTPClient(g *Guard) *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second, Control: g.Check}
	return &http.Client{
		Transport: &http.Transport{
			DialContext:           dialer.DialContext,
			ForceAttemptHTTP2:     true,
			MaxIdleConnsPerHost:   16,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: 60 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
