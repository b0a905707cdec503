package integrations

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"

	"code.dny.dev/ssrf"
)

// guard decides, at dial time and after DNS resolution, whether an address
// may be connected to: special-purpose ranges (loopback, private,
// link-local, CGNAT, …) are refused unless the project allow-lists them.
type guard struct{ g *ssrf.Guardian }

func newGuard(allow []netip.Prefix) guard {
	var v4, v6 []netip.Prefix
	for _, p := range allow {
		if p.Addr().Is4In6() && p.Bits() >= 96 { // ::ffff:10.0.0.0/104 is 10.0.0.0/8
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		p = p.Masked()
		if p.Addr().Is4() {
			v4 = append(v4, p)
		} else {
			v6 = append(v6, p)
		}
	}
	return guard{ssrf.New(
		ssrf.WithAnyPort(),
		ssrf.WithAllowedV4Prefixes(v4...),
		ssrf.WithAllowedV6Prefixes(v6...),
	)}
}

// control is the net.Dialer Control function. IPv4-mapped IPv6 addresses are
// judged as the IPv4 address they are.
func (g guard) control(network, address string, _ syscall.RawConn) error {
	if network != "tcp4" && network != "tcp6" {
		return fmt.Errorf("%w: %s", ssrf.ErrProhibitedNetwork, network)
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", ssrf.ErrInvalidHostPort, address)
	}
	return g.g.SafeAddrPort(netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()))
}

// newDialer returns the one guarded dialer of a Set, shared by its HTTP
// client and its Senders: every connection is judged by the guard after DNS
// resolution, and connection setup is bounded.
func newDialer(allow []netip.Prefix) *net.Dialer {
	return &net.Dialer{
		Timeout:   10 * time.Second,
		KeepAlive: 30 * time.Second,
		Control:   newGuard(allow).control,
	}
}

// newClient returns the one HTTP client of a Set: dialing through d, no proxy
// (a proxy would dial for us, past the guard), no redirects, bounded
// connection setup. The per-attempt timeout comes from the call's context.
func newClient(d *net.Dialer) *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			Proxy:                  nil,
			DialContext:            d.DialContext,
			ForceAttemptHTTP2:      true,
			MaxIdleConns:           100,
			MaxIdleConnsPerHost:    10,
			IdleConnTimeout:        90 * time.Second,
			TLSHandshakeTimeout:    10 * time.Second,
			ExpectContinueTimeout:  time.Second,
			MaxResponseHeaderBytes: 64 << 10,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// readCapped reads at most limit bytes of r and reports whether there was more.
func readCapped(r io.Reader, limit int64) ([]byte, bool, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if int64(len(b)) > limit {
		return b[:limit], true, err
	}
	return b, false, err
}

// refused reports whether err is the guard refusing a destination.
func refused(err error) bool {
	return errors.Is(err, ssrf.ErrProhibitedIP) || errors.Is(err, ssrf.ErrProhibitedNetwork)
}
