//go:build !slim

package main

import (
	"context"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"google.golang.org/grpc"
)

// compressors records the compressor each gRPC call of a client is sent
// with, as the call options reach the first interceptor.
type compressors struct {
	mu    sync.Mutex
	calls []string
}

func (r *compressors) intercept(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	name := "identity"
	for _, o := range opts {
		if c, ok := o.(grpc.CompressorCallOption); ok {
			name = c.CompressorType
		}
	}
	r.mu.Lock()
	r.calls = append(r.calls, method+" "+name)
	r.mu.Unlock()
	return invoker(ctx, method, req, reply, cc, opts...)
}

// callsWithCompressor makes one health check through a client built from
// opts (against a closed loopback port: only what the client sends matters)
// and returns the calls it made, each as "method compressor".
func callsWithCompressor(t *testing.T, opts client.Options) []string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	opts.HostPort = l.Addr().String()
	l.Close()
	rec := &compressors{}
	opts.ConnectionOptions.DialOptions = append(opts.ConnectionOptions.DialOptions, grpc.WithChainUnaryInterceptor(rec.intercept))
	c, err := client.NewLazyClient(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, _ = c.CheckHealth(ctx, &client.CheckHealthRequest{})
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.calls) == 0 {
		t.Fatal("the client made no call")
	}
	return rec.calls
}

func TestDevClientDoesNotCompress(t *testing.T) {
	// The SDK's default gzips every call: the check below sees it.
	gzip := func(call string) bool { return strings.HasSuffix(call, " gzip") }
	if calls := callsWithCompressor(t, client.Options{Namespace: "default"}); !slices.ContainsFunc(calls, gzip) {
		t.Fatalf("the SDK's default client sent no gzip call (%q): this test no longer sees compression", calls)
	}
	for _, call := range callsWithCompressor(t, devClientOptions("", "default")) {
		if gzip(call) {
			t.Errorf("dev's client compressed a call to its own server: %s", call)
		}
	}
}
