package devserver

import (
	"context"
	"net"
	"reflect"
	"sync"
	"unsafe"

	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// Local calls: the dev process's gRPC calls to its own embedded server run
// as function calls.
//
// Every event crosses gRPC about four times inside the dev process (the
// door's start to the frontend, the frontend's to history, the worker's
// completion to the frontend, the frontend's to history), and each crossing
// marshals the request, frames it in HTTP/2, writes it to a loopback socket,
// wakes the server's reader and a handler goroutine, and does all of it again
// for the reply. At a steady rate, with the cores idle between events, every
// hand-off between goroutines also wakes a sleeping thread.
//
// A call whose target is one of this process's embedded servers, for a
// method that server has already served over the network, instead runs the
// client's interceptors, then the server's interceptors and handler on the
// caller's goroutine, with copies of the request and the reply (as the
// network's encoding would make), the caller's deadline and cancellation,
// its metadata as the server's incoming metadata, and the server's headers
// and trailers handed back to the call's options. Errors reach the caller as
// the status the network would carry. What is skipped: the bytes, the
// server's stats handlers (Temporal's per-message metrics; the dev server
// exports none), and message size limits.
//
// gRPC has no hook for this: the client's interceptors are read from the
// connection's options (an unexported field, found by name and type), and a
// server's interceptor chain is learned from its first call of each method
// (gRPC hands the outermost server interceptor the rest of the chain). When
// either is not found, calls go over the network as before;
// TestLocalCallsServeTheProcess fails.

// localServers maps the address of each of this process's embedded
// servers' gRPC listeners to what serves calls to it locally.
var localServers sync.Map // string → *localServer

// localServer is one gRPC listener of an embedded server.
type localServer struct {
	addr    net.Addr
	base    context.Context // canceled when the server stops
	stop    context.CancelFunc
	methods sync.Map // full method name → localMethod
	chains  sync.Map // *grpc.ClientConn → grpc.UnaryInvoker, or nil when it cannot call locally
}

// localMethod is a method a server has served: the rest of its interceptor
// chain and handler, and the type its handler takes.
type localMethod struct {
	handler grpc.UnaryHandler
	request protoreflect.MessageType
}

// localCalls is what one dev server registered.
type localCalls struct {
	servers []*localServer
}

// serveLocally registers addresses (host:port of the server's gRPC
// listeners) for local calls.
func serveLocally(addrs []string) *localCalls {
	lc := &localCalls{}
	for _, a := range addrs {
		tcp, err := net.ResolveTCPAddr("tcp", a)
		if err != nil {
			continue
		}
		ctx, cancel := context.WithCancel(context.Background())
		ls := &localServer{addr: tcp, base: ctx, stop: cancel}
		localServers.Store(tcp.String(), ls)
		lc.servers = append(lc.servers, ls)
	}
	return lc
}

// close ends local calls to the server: new calls go over the network, and
// the ones under way see their context canceled, as a stopping gRPC server's
// calls do.
func (lc *localCalls) close() {
	if lc == nil {
		return
	}
	for _, ls := range lc.servers {
		localServers.CompareAndDelete(ls.addr.String(), ls)
		ls.stop()
	}
}

// learnLocalHandlers is the outermost interceptor of every gRPC server in
// the process: for the embedded servers' listeners it keeps, per method,
// the rest of the server's chain and its handler.
func learnLocalHandlers(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	if p, ok := peer.FromContext(ctx); ok && p.LocalAddr != nil {
		if v, ok := localServers.Load(p.LocalAddr.String()); ok {
			ls := v.(*localServer)
			if m, ok := req.(proto.Message); ok {
				if _, known := ls.methods.Load(info.FullMethod); !known {
					ls.methods.Store(info.FullMethod, localMethod{handler: handler, request: m.ProtoReflect().Type()})
				}
			}
		}
	}
	return handler(ctx, req)
}

// callLocally is the outermost interceptor of every gRPC client in the
// process. A call it can serve locally runs the client's other
// interceptors with localInvoke at their end; any other call goes on to
// the network.
func callLocally(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	ls := localServerFor(cc)
	if ls == nil || networkCall(opts) {
		return invoker(ctx, method, req, reply, cc, opts...)
	}
	if _, ok := ls.methods.Load(method); !ok {
		return invoker(ctx, method, req, reply, cc, opts...)
	}
	_, reqOK := req.(proto.Message)
	_, replyOK := reply.(proto.Message)
	inner := ls.chain(cc)
	if inner == nil || !reqOK || !replyOK {
		return invoker(ctx, method, req, reply, cc, opts...)
	}
	return inner(ctx, method, req, reply, cc, opts...)
}

// viaNetwork is a call option that sends a call over the network even when
// it could be local (the tests of the network path's settings use it).
type viaNetwork struct{ grpc.EmptyCallOption }

func networkCall(opts []grpc.CallOption) bool {
	for _, o := range opts {
		if _, ok := o.(viaNetwork); ok {
			return true
		}
	}
	return false
}

// localServerFor finds the embedded server cc was made for. The process's
// clients dial host:port, which is also how the listeners are registered.
func localServerFor(cc *grpc.ClientConn) *localServer {
	v, ok := localServers.Load(cc.Target())
	if !ok {
		return nil
	}
	return v.(*localServer)
}

// chain is cc's interceptors after callLocally, ending in localInvoke; nil
// when they cannot be read.
func (ls *localServer) chain(cc *grpc.ClientConn) grpc.UnaryInvoker {
	if v, ok := ls.chains.Load(cc); ok {
		inv, _ := v.(grpc.UnaryInvoker)
		return inv
	}
	var inv grpc.UnaryInvoker
	if ints, ok := innerClientInterceptors(cc); ok {
		inv = ls.invoke
		for i := len(ints) - 1; i >= 0; i-- {
			next, ic := inv, ints[i]
			inv = func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, opts ...grpc.CallOption) error {
				return ic(ctx, method, req, reply, cc, next, opts...)
			}
		}
	}
	ls.chains.Store(cc, inv)
	return inv
}

var unaryClientInterceptorsType = reflect.TypeOf([]grpc.UnaryClientInterceptor(nil))

// innerClientInterceptors reads the chained interceptors cc was made with
// (gRPC keeps them in cc.dopts.chainUnaryInts) and returns those after
// callLocally, which must be the first.
func innerClientInterceptors(cc *grpc.ClientConn) ([]grpc.UnaryClientInterceptor, bool) {
	dopts := reflect.ValueOf(cc).Elem().FieldByName("dopts")
	if !dopts.IsValid() || dopts.Kind() != reflect.Struct {
		return nil, false
	}
	f := dopts.FieldByName("chainUnaryInts")
	if !f.IsValid() || f.Type() != unaryClientInterceptorsType {
		return nil, false
	}
	ints := *(*[]grpc.UnaryClientInterceptor)(unsafe.Pointer(f.UnsafeAddr()))
	if len(ints) == 0 || reflect.ValueOf(ints[0]).Pointer() != reflect.ValueOf(callLocally).Pointer() {
		return nil, false
	}
	return ints[1:], true
}

// invoke serves a call with the server's interceptors and handler, as the
// network would deliver it.
func (ls *localServer) invoke(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, opts ...grpc.CallOption) error {
	v, ok := ls.methods.Load(method)
	if !ok || ls.base.Err() != nil {
		return status.Errorf(codes.Unavailable, "%s: the embedded server is stopping", method)
	}
	if err := ctx.Err(); err != nil {
		return status.FromContextError(err).Err()
	}
	m := v.(localMethod)
	in, err := copyMessage(req.(proto.Message), m.request.New().Interface())
	if err != nil {
		return status.Errorf(codes.Internal, "%s: %v", method, err)
	}
	sctx, stream, done := ls.serverContext(ctx, method, cc)
	defer done()
	resp, err := m.handler(sctx, in)
	stream.deliver(opts, ls.addr)
	if cerr := ctx.Err(); cerr != nil {
		// The network's caller stops waiting when its context ends,
		// whatever the server answers after (a long poll answers empty).
		err = status.FromContextError(cerr).Err()
	} else if err != nil {
		st, ok := status.FromError(err)
		if !ok {
			st = status.FromContextError(err)
		}
		err = status.ErrorProto(proto.Clone(st.Proto()).(*spb.Status))
	} else if r, ok := resp.(proto.Message); ok && r != nil && r.ProtoReflect().IsValid() {
		if _, cerr := copyMessage(r, reply.(proto.Message)); cerr != nil {
			err = status.Errorf(codes.Internal, "%s: %v", method, cerr)
		}
	} else {
		proto.Reset(reply.(proto.Message))
	}
	for _, o := range opts {
		if f, ok := o.(grpc.OnFinishCallOption); ok {
			f.OnFinish(err)
		}
	}
	return err
}

// copyMessage copies src into dst (emptied first), as the network's
// encoding would: a deep copy when both are of one type, through the wire
// format when they are not (Temporal answers some calls with a type that
// keeps a history encoded, which the caller reads as the decoded one).
func copyMessage(src, dst proto.Message) (proto.Message, error) {
	proto.Reset(dst)
	if src.ProtoReflect().Descriptor() == dst.ProtoReflect().Descriptor() {
		proto.Merge(dst, src)
		return dst, nil
	}
	b, err := proto.Marshal(src)
	if err != nil {
		return nil, err
	}
	return dst, proto.Unmarshal(b, dst)
}

// serverContext is the context a gRPC server would give the call: none of
// the caller's values, its deadline, canceled with it or when the server
// stops, the caller's outgoing metadata as incoming, the peer, and a
// stream that keeps the headers and trailers the server sets.
func (ls *localServer) serverContext(ctx context.Context, method string, cc *grpc.ClientConn) (context.Context, *localStream, func()) {
	var sctx context.Context
	var cancel context.CancelFunc
	if d, ok := ctx.Deadline(); ok {
		sctx, cancel = context.WithDeadline(ls.base, d)
	} else {
		sctx, cancel = context.WithCancel(ls.base)
	}
	stopAfter := context.AfterFunc(ctx, cancel)
	md, _ := metadata.FromOutgoingContext(ctx)
	if md == nil {
		md = metadata.MD{}
	}
	md[":authority"] = []string{cc.Target()}
	md["content-type"] = []string{"application/grpc"}
	sctx = metadata.NewIncomingContext(sctx, md)
	sctx = peer.NewContext(sctx, &peer.Peer{Addr: localCaller, LocalAddr: ls.addr})
	stream := &localStream{method: method}
	sctx = grpc.NewContextWithServerTransportStream(sctx, stream)
	return sctx, stream, func() {
		stopAfter()
		cancel()
	}
}

// localCaller is the peer address a local call's server sees.
var localCaller = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)}

// localStream is the server side of a local call: what the server's
// handlers set with grpc.SetHeader, SendHeader and SetTrailer.
type localStream struct {
	method  string
	mu      sync.Mutex
	header  metadata.MD
	trailer metadata.MD
}

func (s *localStream) Method() string { return s.method }

func (s *localStream) SetHeader(md metadata.MD) error {
	s.mu.Lock()
	s.header = metadata.Join(s.header, md)
	s.mu.Unlock()
	return nil
}

func (s *localStream) SendHeader(md metadata.MD) error { return s.SetHeader(md) }

func (s *localStream) SetTrailer(md metadata.MD) error {
	s.mu.Lock()
	s.trailer = metadata.Join(s.trailer, md)
	s.mu.Unlock()
	return nil
}

// deliver hands the headers, trailers and peer to the call options that
// ask for them.
func (s *localStream) deliver(opts []grpc.CallOption, addr net.Addr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range opts {
		switch o := o.(type) {
		case grpc.HeaderCallOption:
			*o.HeaderAddr = s.header.Copy()
		case grpc.TrailerCallOption:
			*o.TrailerAddr = s.trailer.Copy()
		case grpc.PeerCallOption:
			*o.PeerAddr = peer.Peer{Addr: addr, LocalAddr: localCaller}
		}
	}
}
