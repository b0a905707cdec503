package devserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
)

// serverCallSeen is what observeServerCalls saw of one call served locally.
type serverCallSeen struct {
	method, grpcMethod, clientName, localAddr, probe string
	deadline                                         bool
}

// observedCalls receives every locally served call's view while a test
// sets it.
var observedCalls atomic.Pointer[func(serverCallSeen)]

var observeOnce sync.Once

// observeServerCalls puts an interceptor right after learnLocalHandlers in
// every gRPC server made from now on: it runs in local calls as Temporal's
// own interceptors do, records what a server sees of them, and answers
// DescribeNamespace with a header and a trailer.
func observeServerCalls() {
	observeOnce.Do(func() {
		useLoopbackOptions()
		grpcGlobalServerOptions = append(grpcGlobalServerOptions, grpc.ChainUnaryInterceptor(
			func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
				if info.FullMethod == workflowservice.WorkflowService_DescribeNamespace_FullMethodName {
					_ = grpc.SetHeader(ctx, metadata.Pairs("x-hookflow-header", "h"))
					_ = grpc.SetTrailer(ctx, metadata.Pairs("x-hookflow-trailer", "t"))
				}
				if f := observedCalls.Load(); f != nil {
					if _, local := grpc.ServerTransportStreamFromContext(ctx).(*localStream); local {
						seen := serverCallSeen{method: info.FullMethod}
						seen.grpcMethod, _ = grpc.Method(ctx)
						md, _ := metadata.FromIncomingContext(ctx)
						if v := md.Get("client-name"); len(v) > 0 {
							seen.clientName = v[0]
						}
						if v := md.Get("x-hookflow-probe"); len(v) > 0 {
							seen.probe = v[0]
						}
						if p, ok := peer.FromContext(ctx); ok && p.LocalAddr != nil {
							seen.localAddr = p.LocalAddr.String()
						}
						_, seen.deadline = ctx.Deadline()
						(*f)(seen)
					}
				}
				return handler(ctx, req)
			}))
	})
}

// TestLocalCallsServeTheProcess: a dev server's own clients (an SDK client
// and worker here, Temporal's services among themselves) reach it by local
// calls once a method has been served over the network, and a local call
// behaves as the network's: results, errors of the right type, the
// caller's metadata and deadline on the server's side, the server's
// headers and trailers back to the caller, cancellation, and no local calls
// to a stopped server. Every run's close reaches the caller waiting for it
// in time.
func TestLocalCallsServeTheProcess(t *testing.T) {
	observeServerCalls()
	var mu sync.Mutex
	var seen []serverCallSeen
	record := func(s serverCallSeen) {
		mu.Lock()
		seen = append(seen, s)
		mu.Unlock()
	}
	observedCalls.Store(&record)
	defer observedCalls.Store(nil)

	s, err := Start(context.Background(), Options{UIPort: -1, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	var stopOnce sync.Once
	stop := func() { stopOnce.Do(s.Stop) }
	defer stop()
	if s.local == nil || len(s.local.servers) != 4 {
		t.Fatalf("local calls registered for %v, want the 4 services' listeners", s.local)
	}
	c, err := client.Dial(client.Options{HostPort: s.Addr(), Namespace: s.Namespace(), Logger: quietSDKLogger{}})
	if err != nil {
		t.Fatal(err)
	}
	var closeOnce sync.Once
	closeClient := func() { closeOnce.Do(c.Close) }
	defer closeClient()
	w := worker.New(c, "local", worker.Options{})
	w.RegisterActivityWithOptions(func(_ context.Context, in string) (string, error) {
		return "activity(" + in + ")", nil
	}, activity.RegisterOptions{Name: "Echo"})
	w.RegisterWorkflowWithOptions(func(ctx workflow.Context, in string) (string, error) {
		state := "waiting"
		if err := workflow.SetQueryHandler(ctx, "state", func() (string, error) { return state, nil }); err != nil {
			return "", err
		}
		var sig string
		workflow.GetSignalChannel(ctx, "go").Receive(ctx, &sig)
		state = "calling"
		var out string
		ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second})
		if err := workflow.ExecuteActivity(ctx, "Echo", in+"+"+sig).Get(ctx, &out); err != nil {
			return "", err
		}
		return out, nil
	}, workflow.RegisterOptions{Name: "Local"})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	var workerOnce sync.Once
	stopWorker := func() { workerOnce.Do(w.Stop) }
	defer stopWorker()

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	run := func(i int) {
		t.Helper()
		id := fmt.Sprintf("local-%d", i)
		start := time.Now()
		r, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: "local"}, "Local", id)
		if err != nil {
			t.Fatal(err)
		}
		q, err := c.QueryWorkflow(ctx, id, "", "state")
		if err != nil {
			t.Fatal(err)
		}
		var state string
		if err := q.Get(&state); err != nil || state != "waiting" {
			t.Fatalf("%s: query answered %q, %v; want waiting", id, state, err)
		}
		if err := c.SignalWorkflow(ctx, id, "", "go", "sig"); err != nil {
			t.Fatal(err)
		}
		var out string
		if err := r.Get(ctx, &out); err != nil {
			t.Fatal(err)
		}
		if want := "activity(" + id + "+sig)"; out != want {
			t.Fatalf("%s returned %q, want %q", id, out, want)
		}
		// A run takes milliseconds; a waiting caller that missed its close
		// notification learns of it when its history long poll runs out.
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("%s took %v: its close reached the waiting caller only when the long poll ran out", id, d)
		}
	}
	for i := range 3 { // every method once over the network
		run(i)
	}
	localCalls := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(seen)
	}
	before := localCalls()
	const runs = 12
	for i := 3; i < 3+runs; i++ {
		run(i)
	}
	// Each run: a start, a query, a signal, an activity, workflow tasks,
	// each a call to the frontend and another between the services.
	if n := localCalls() - before; n < 8*runs {
		t.Errorf("%d local calls for %d runs, want at least %d", n, runs, 8*runs)
	}

	// Errors arrive as the network's would, as the SDK's types.
	for range 2 {
		_, err := c.DescribeWorkflowExecution(ctx, "no-such-run", "")
		var nf *serviceerror.NotFound
		if !errors.As(err, &nf) {
			t.Fatalf("describing a missing run: %T %v, want *serviceerror.NotFound", err, err)
		}
	}
	for range 2 {
		_, err = c.WorkflowService().StartWorkflowExecution(ctx, &workflowservice.StartWorkflowExecutionRequest{Namespace: s.Namespace()})
		var ia *serviceerror.InvalidArgument
		if !errors.As(err, &ia) {
			t.Errorf("a start without a workflow id: %T %v, want *serviceerror.InvalidArgument", err, err)
		}
	}

	// The caller's metadata reaches the server, and the server's headers
	// and trailers reach the caller.
	for i := range 2 {
		var hd, tr metadata.MD
		pctx := metadata.AppendToOutgoingContext(ctx, "x-hookflow-probe", fmt.Sprint("describe-", i))
		_, err := c.WorkflowService().DescribeNamespace(pctx, &workflowservice.DescribeNamespaceRequest{Namespace: s.Namespace()}, grpc.Header(&hd), grpc.Trailer(&tr))
		if err != nil {
			t.Fatal(err)
		}
		if got := hd.Get("x-hookflow-header"); len(got) != 1 || got[0] != "h" {
			t.Errorf("call %d: header %v, want h", i, hd)
		}
		if got := tr.Get("x-hookflow-trailer"); len(got) != 1 || got[0] != "t" {
			t.Errorf("call %d: trailer %v, want t", i, tr)
		}
	}

	// Cancellation reaches a long poll: wait for a run's close that never comes.
	if _, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "waits", TaskQueue: "local"}, "Local", "waits"); err != nil {
		t.Fatal(err)
	}
	var errs [2]string
	for i := range 2 {
		pctx, pcancel := context.WithCancel(metadata.AppendToOutgoingContext(ctx, "x-hookflow-probe", fmt.Sprint("poll-", i)))
		time.AfterFunc(200*time.Millisecond, pcancel)
		start := time.Now()
		var opts []grpc.CallOption
		if i == 0 {
			opts = append(opts, viaNetwork{})
		}
		_, err := c.WorkflowService().GetWorkflowExecutionHistory(pctx, &workflowservice.GetWorkflowExecutionHistoryRequest{
			Namespace: s.Namespace(), Execution: &commonpb.WorkflowExecution{WorkflowId: "waits"},
			WaitNewEvent: true, HistoryEventFilterType: enumspb.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT,
		}, opts...)
		errs[i] = fmt.Sprintf("%T %v", err, err)
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("poll %d returned %v after its cancellation", i, d)
		}
	}
	if errs[0] != errs[1] || !strings.Contains(errs[0], "canceled") {
		t.Errorf("a canceled long poll ended with %q over the network and %q locally, want the same cancellation", errs[0], errs[1])
	}

	observedCalls.Store(nil)
	mu.Lock()
	defer mu.Unlock()
	frontend, deadlines, sdk, probes := 0, 0, 0, map[string]bool{}
	for _, c := range seen {
		if c.clientName == "temporal-go" {
			sdk++
		}
		if c.probe != "" {
			probes[c.probe] = true
		}
		if c.grpcMethod != c.method {
			t.Errorf("grpc.Method says %q in a local call of %s", c.grpcMethod, c.method)
		}
		if c.localAddr == s.Addr() {
			frontend++
		}
		if c.deadline {
			deadlines++
		}
	}
	if frontend == 0 || frontend == len(seen) {
		t.Errorf("%d of %d local calls to the frontend, want calls to it and between the services", frontend, len(seen))
	}
	if sdk == 0 {
		t.Errorf("no local call had the SDK's client-name header")
	}
	// The probes' metadata reached the server in local calls, and the
	// calls sent over the network were not local.
	if !probes["describe-1"] || !probes["poll-1"] || probes["poll-0"] {
		t.Errorf("probes seen in local calls: %v, want describe-1 and poll-1, not poll-0", probes)
	}
	if deadlines == 0 {
		t.Errorf("no local call carried its caller's deadline")
	}

	stopWorker()
	closeClient()
	stop()
	if _, ok := localServers.Load(s.Addr()); ok {
		t.Errorf("a stopped server still takes local calls")
	}
}
