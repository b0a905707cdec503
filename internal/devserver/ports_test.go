package devserver

import (
	"net"
	"strconv"
	"testing"
)

// TestPortBelowFallsBackToAnyFreePort: when the ephemeral range is unknown
// (0: not Linux) or starts too close above internalPortLow to leave
// internalPortsMin ports, the kernel picks, and the port is free.
func TestPortBelowFallsBackToAnyFreePort(t *testing.T) {
	for _, ephemeral := range []int{0, internalPortLow + internalPortsMin - 1} {
		p, err := portBelow("127.0.0.1", ephemeral)
		if err != nil {
			t.Fatal(err)
		}
		// The kernel picks from its own ephemeral range (readable on Linux).
		if low := ephemeralLow(); low > 0 && p < low {
			t.Errorf("ephemeral range given as %d: port %d, want the kernel's pick (from %d up)", ephemeral, p, low)
		}
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			t.Fatalf("port %d was picked but is not free: %v", p, err)
		}
		l.Close()
	}
}

// TestPortBelowStaysBelowTheEphemeralRange: with the range known, every
// port comes from [internalPortLow, ephemeral).
func TestPortBelowStaysBelowTheEphemeralRange(t *testing.T) {
	const ephemeral = internalPortLow + internalPortsMin + 1000
	for range 50 {
		p, err := portBelow("127.0.0.1", ephemeral)
		if err != nil {
			t.Fatal(err)
		}
		if p < internalPortLow || p >= ephemeral {
			t.Fatalf("port %d, want one in [%d, %d)", p, internalPortLow, ephemeral)
		}
	}
}
