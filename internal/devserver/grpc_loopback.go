package devserver

import (
	"sync"
	_ "unsafe" // go:linkname

	"google.golang.org/grpc"
)

// The dev server's services, the worker's client and the Web UI talk gRPC
// to one another over loopback, in this one process. gRPC's flow control
// estimates each connection's bandwidth-delay product by sending an HTTP/2
// PING whenever data arrives and none is outstanding: under a steady stream
// of events every call was followed by a PING and its acknowledgement, half
// of the process's network writes (strace, 40 events/s: 8 PINGs and 8
// acknowledgements per event). On loopback there is no delay to estimate;
// fixed windows turn the estimator off.
//
// Temporal builds its gRPC servers and internal clients itself, with no
// option to add to theirs, so these options go into gRPC's process-wide
// default options (the variables gRPC's own observability packages fill).
// A gRPC upgrade that renames them fails the build at link time;
// TestLoopbackGRPCOptions fails if they stop taking effect.
//
//go:linkname grpcGlobalServerOptions google.golang.org/grpc.globalServerOptions
var grpcGlobalServerOptions []grpc.ServerOption

//go:linkname grpcGlobalDialOptions google.golang.org/grpc.globalDialOptions
var grpcGlobalDialOptions []grpc.DialOption

// Loopback windows: a stream may have 1 MB in flight, a connection 4 MB.
// Larger messages (a long history's page) flow with window updates.
const (
	loopbackStreamWindow = 1 << 20
	loopbackConnWindow   = 4 << 20
)

// loopbackStreamWorkers is how many goroutines each gRPC server keeps to
// serve calls. By default gRPC starts a goroutine per call, and a call
// through Temporal's interceptors and handlers grows its stack several
// times over (goroutine stack growth was 7-8% of a steady profile); kept
// workers keep their grown stacks. A call that finds every worker busy (the
// long polls hold some) gets its own goroutine, as without them.
const loopbackStreamWorkers = 32

var loopbackOnce sync.Once

// useLoopbackOptions gives every gRPC server and client this process makes
// from now on fixed flow-control windows, every server its stream workers,
// and both the interceptors of local calls (local_calls.go). Only the dev server calls it: `hookflow serve` and `worker`
// reach Temporal over a real network and keep gRPC's defaults.
func useLoopbackOptions() {
	loopbackOnce.Do(func() {
		grpcGlobalServerOptions = append(grpcGlobalServerOptions,
			grpc.StaticStreamWindowSize(loopbackStreamWindow), grpc.StaticConnWindowSize(loopbackConnWindow),
			grpc.NumStreamWorkers(loopbackStreamWorkers), grpc.ChainUnaryInterceptor(learnLocalHandlers))
		grpcGlobalDialOptions = append(grpcGlobalDialOptions,
			grpc.WithStaticStreamWindowSize(loopbackStreamWindow), grpc.WithStaticConnWindowSize(loopbackConnWindow),
			grpc.WithChainUnaryInterceptor(callLocally))
	})
}
