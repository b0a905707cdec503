package devserver

import (
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/grpc"
)

// TestLoopbackGRPCOptions: calls to a dev server, one at a time as a steady
// stream of events makes them, bring no HTTP/2 PING from either side (the
// server and the client both use fixed windows), and the server's services
// serve them on kept worker goroutines, a pool per service.
func TestLoopbackGRPCOptions(t *testing.T) {
	s := startMemoryServer(t)
	var mu sync.Mutex
	var conns []*countingConn
	dial := func(ctx context.Context, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
		if err != nil {
			return nil, err
		}
		cc := &countingConn{Conn: c}
		cc.written.preface = len("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
		mu.Lock()
		conns = append(conns, cc)
		mu.Unlock()
		return cc, nil
	}
	c, err := client.Dial(client.Options{HostPort: s.Addr(), Logger: quietSDKLogger{},
		ConnectionOptions: client.ConnectionOptions{DialOptions: []grpc.DialOption{grpc.WithContextDialer(dial)}}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	const calls = 30
	for range calls {
		_, err := c.WorkflowService().DescribeNamespace(context.Background(), &workflowservice.DescribeNamespaceRequest{Namespace: s.Namespace()}, viaNetwork{})
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond) // the ping of the call before is answered
	}
	var fromServer, fromClient frameTotals
	mu.Lock()
	for _, cc := range conns {
		fromServer.add(cc.read.snapshot())
		fromClient.add(cc.written.snapshot())
	}
	mu.Unlock()
	if fromServer.headers < calls {
		t.Fatalf("read %d HEADERS frames from the server for %d calls: the frame count is broken", fromServer.headers, calls)
	}
	if fromServer.pings > 0 || fromClient.pings > 0 {
		t.Errorf("%d PINGs from the server and %d from the client for %d calls, want none", fromServer.pings, fromClient.pings, calls)
	}

	// Frontend, history and matching at least: a pool each.
	if n := strings.Count(goroutineDump(t), "google.golang.org/grpc.(*Server).serverWorker("); n < 3*loopbackStreamWorkers {
		t.Errorf("%d gRPC stream workers, want a pool of %d in each of the server's services", n, loopbackStreamWorkers)
	}
}

// frameCount parses the HTTP/2 frames of one direction of a connection.
type frameCount struct {
	mu             sync.Mutex
	buf            []byte
	preface        int // bytes of the client's connection preface still to skip
	headers, pings int
}

type frameTotals struct{ headers, pings int }

func (t *frameTotals) add(o frameTotals) {
	t.headers += o.headers
	t.pings += o.pings
}

func (f *frameCount) add(p []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.preface > 0 {
		n := min(f.preface, len(p))
		f.preface -= n
		p = p[n:]
	}
	f.buf = append(f.buf, p...)
	for len(f.buf) >= 9 {
		length := int(f.buf[0])<<16 | int(f.buf[1])<<8 | int(f.buf[2])
		if len(f.buf) < 9+length {
			return
		}
		const headersFrame, pingFrame, ack = 0x1, 0x6, 0x1
		switch typ, flags := f.buf[3], f.buf[4]; {
		case typ == headersFrame:
			f.headers++
		case typ == pingFrame && flags&ack == 0:
			f.pings++
		}
		f.buf = f.buf[9+length:]
	}
}

func (f *frameCount) snapshot() frameTotals {
	f.mu.Lock()
	defer f.mu.Unlock()
	return frameTotals{f.headers, f.pings}
}

// countingConn counts the frames it reads and writes.
type countingConn struct {
	net.Conn
	read, written frameCount
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.read.add(p[:n])
	return n, err
}

func (c *countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.written.add(p[:n])
	return n, err
}
