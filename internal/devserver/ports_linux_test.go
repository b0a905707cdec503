package devserver

import (
	"net"
	"strconv"
	"testing"
)

// TestInternalPortsAvoidTheEphemeralRange: the internal services' ports
// come from below the kernel's ephemeral range, where no outgoing
// connection takes them between the check and the server's listen, and
// each is free when picked.
func TestInternalPortsAvoidTheEphemeralRange(t *testing.T) {
	low := ephemeralLow()
	if low == 0 {
		t.Fatal("the ephemeral range could not be read from /proc/sys/net/ipv4/ip_local_port_range")
	}
	for range 50 {
		p, err := internalPort("127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		if p < internalPortLow || p >= low {
			t.Fatalf("internal port %d, want one in [%d, %d)", p, internalPortLow, low)
		}
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			t.Fatalf("port %d was picked but is not free: %v", p, err)
		}
		l.Close()
	}
}
