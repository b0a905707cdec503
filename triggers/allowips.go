package triggers

import (
	"fmt"
	"net/http"
	"net/netip"

	"gopkg.in/yaml.v3"
)

type nodeMsg struct {
	node *yaml.Node
	msg  string
}

// parseAllowIPs reads `allow_ips`: a list of CIDRs ("192.0.2.0/24") or
// single addresses ("203.0.113.7").
func parseAllowIPs(n *yaml.Node) ([]netip.Prefix, []nodeMsg) {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		return nil, []nodeMsg{{n, "must be a non-empty list of CIDRs or addresses, e.g. [192.0.2.0/24, 2001:db8::/32]"}}
	}
	var out []netip.Prefix
	var errs []nodeMsg
	for _, c := range n.Content {
		p, err := parsePrefix(c.Value)
		if c.Kind != yaml.ScalarNode || err != nil {
			errs = append(errs, nodeMsg{c, fmt.Sprintf("%q is not a CIDR or an IP address; write e.g. 192.0.2.0/24 or 203.0.113.7", c.Value)})
			continue
		}
		out = append(out, p)
	}
	return out, errs
}

func parsePrefix(s string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// checkRemote admits remoteAddr ("ip:port", as in http.Request.RemoteAddr)
// when t has no allow_ips or one of them contains it. Only the connection's
// own address counts: X-Forwarded-For is never trusted.
func checkRemote(t *Trigger, remoteAddr string) error {
	if len(t.AllowIPs) == 0 {
		return nil
	}
	ap, err := netip.ParseAddrPort(remoteAddr)
	if err != nil {
		return reject(http.StatusForbidden, fmt.Sprintf("trigger %s only accepts requests from its allow_ips, and the sender's address %q cannot be read", t.Name, remoteAddr))
	}
	addr := ap.Addr().Unmap()
	for _, p := range t.AllowIPs {
		if p.Contains(addr) {
			return nil
		}
	}
	return reject(http.StatusForbidden, fmt.Sprintf("address %s is not in trigger %s's allow_ips; add it to allow_ips in hookflow.yaml if this sender is legitimate", addr, t.Name))
}
