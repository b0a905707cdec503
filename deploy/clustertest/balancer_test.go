//go:build cluster

package clustertest

import (
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// balancer is the TCP load balancer an operator puts in front of Temporal's
// frontends: each new connection goes to the next frontend that accepts it,
// so a dead node is skipped. A connection to a node that dies breaks, and
// the gRPC client reconnects through the balancer.
type balancer struct {
	l    net.Listener
	next atomic.Uint64

	mu       sync.Mutex
	backends []string
	conns    map[net.Conn]struct{}
}

func newBalancer(t testing.TB) *balancer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &balancer{l: l, conns: map[net.Conn]struct{}{}}
	go b.serve()
	t.Cleanup(b.close)
	return b
}

func (b *balancer) addr() string { return b.l.Addr().String() }

// setBackends names the frontends; the nodes need the balancer's address in
// their configuration before they exist.
func (b *balancer) setBackends(addrs ...string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.backends = addrs
}

func (b *balancer) serve() {
	for {
		c, err := b.l.Accept()
		if err != nil {
			return
		}
		go b.relay(c)
	}
}

func (b *balancer) relay(in net.Conn) {
	var out net.Conn
	b.mu.Lock()
	backends := b.backends
	b.mu.Unlock()
	first := b.next.Add(1)
	for i := range uint64(len(backends)) {
		addr := backends[(first+i)%uint64(len(backends))]
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			out = c
			break
		}
	}
	if out == nil {
		in.Close()
		return
	}
	b.track(in, out)
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		// Either side ending ends both: a dead node's connections break
		// at once instead of hanging half-open.
		dst.Close()
		src.Close()
		done <- struct{}{}
	}
	go pipe(out, in)
	go pipe(in, out)
	<-done
	<-done
	b.untrack(in, out)
}

func (b *balancer) track(cs ...net.Conn) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, c := range cs {
		b.conns[c] = struct{}{}
	}
}

func (b *balancer) untrack(cs ...net.Conn) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, c := range cs {
		delete(b.conns, c)
	}
}

func (b *balancer) close() {
	b.l.Close()
	b.mu.Lock()
	defer b.mu.Unlock()
	for c := range b.conns {
		c.Close()
	}
}
