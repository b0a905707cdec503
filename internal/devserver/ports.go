package devserver

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
)

// freePort asks the kernel for a free TCP port on ip.
func freePort(ip string) (int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		return 0, fmt.Errorf("find a free port on %s: %w", ip, err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// portFree fails with a clear message when something already listens on ip:port.
func portFree(ip string, port int) error {
	l, err := net.Listen("tcp", net.JoinHostPort(ip, strconv.Itoa(port)))
	if err != nil {
		return fmt.Errorf("%s:%d is in use", ip, port)
	}
	return l.Close()
}

// internalPort picks a free port for one of the server's internal services
// (history, matching, worker, the frontend's HTTP API), below the kernel's
// range of ephemeral ports. A port from that range, checked free and
// released, can become the local end of an outgoing connection before the
// server listens on it (the process's own clients make many), and the
// server's start then fails; ports below it are only ever taken by a listener.
func internalPort(ip string) (int, error) { return portBelow(ip, ephemeralLow()) }

// portBelow picks a free port on ip from [internalPortLow, ephemeral) (at
// most internalPortHigh), or any free port when that leaves too few.
func portBelow(ip string, ephemeral int) (int, error) {
	if high := min(ephemeral, internalPortHigh); high-internalPortLow >= internalPortsMin {
		for range 64 {
			if p := internalPortLow + rand.IntN(high-internalPortLow); portFree(ip, p) == nil {
				return p, nil
			}
		}
	}
	return freePort(ip)
}

// Internal ports come from [internalPortLow, internalPortHigh), cut at the
// start of the ephemeral range; with fewer than internalPortsMin ports left
// there, the kernel picks.
const (
	internalPortLow  = 10000
	internalPortHigh = 30000
	internalPortsMin = 5000
)

// ephemeralLow is the first port of the kernel's ephemeral range (Linux's
// ip_local_port_range), 0 when it cannot be read.
func ephemeralLow() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return 0
	}
	low, err := strconv.Atoi(f[0])
	if err != nil {
		return 0
	}
	return low
}
