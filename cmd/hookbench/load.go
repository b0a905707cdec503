package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/hookflow/hookflow/internal/bench"
	"github.com/hookflow/hookflow/internal/project"
	"github.com/hookflow/hookflow/triggers/verify"
)

// loadOptions are the root command's flags.
type loadOptions struct {
	target      string
	trigger     string
	projectDir  string
	receiver    string
	calls       int
	rate        float64
	concurrency int
	count       int
	duration    time.Duration
	maxInFlight int
	drain       time.Duration
	settle      time.Duration
	pid         int
	db          string
	window      time.Duration
	baselines   string
	skipTarget  bool
	temporal    string
	namespace   string
	rounds      int
	jsonOut     bool
	jsonFile    string
	quiet       bool
	allowRemote bool
	pad         int
	eventType   string
}

func loadCommand(e env) *cobra.Command {
	var o loadOptions
	cmd := &cobra.Command{
		Use:   "hookbench",
		Short: "load hookflow with signed events and measure what it costs, beside two baselines",
		Long: `hookbench sends signed events to a hookflow on this machine, receives the
outbound calls they cause, and reports acknowledged/s, delivered/s (an event
is delivered when its last call arrives), end-to-end latency, lost events,
duplicated effects, and the target's CPU seconds per event and memory from
/proc, beside a bare HTTP forwarder and a bare Temporal workflow measured in
the same run.

Start the target with its integrations pointing at the receiver, e.g.
  BENCH_RECEIVER_URL=http://127.0.0.1:18090 hookflow dev --project samples/bench \
    --listen 127.0.0.1:18080 --temporal-port 17233 --ui-port -1 --db /tmp/bench.db`,
		Example: `  hookbench --concurrency 32 --count 3000 --temporal 127.0.0.1:17233 --db /tmp/bench.db
  hookbench --rate 100 --duration 30s --temporal 127.0.0.1:17233
  hookbench --rate 40 --duration 5m --window 1m --db /tmp/bench.db --baselines none`,
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runLoad(cmd.Context(), e, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.target, "target", "http://127.0.0.1:18080", "base URL of the hookflow under test (loopback unless --allow-remote)")
	f.StringVar(&o.trigger, "trigger", "bench", "trigger to post to: POST {target}/hooks/{trigger}")
	f.StringVar(&o.projectDir, "project", "samples/bench", "the target's project directory, for the trigger's signature scheme and secret")
	f.StringVar(&o.receiver, "receiver", "127.0.0.1:18090", "address of the receiver the target's integrations call")
	f.IntVar(&o.calls, "calls", 2, "outbound calls per event; an event is delivered when the last arrives (0: done when acknowledged, for events no rule matches)")
	f.StringVar(&o.eventType, "event-type", "bench", "the events' type (payload.type); one no rule matches, with --calls 0, measures the no-match path")
	f.Float64Var(&o.rate, "rate", 0, "open loop: events per second (latency from each event's intended send time)")
	f.IntVar(&o.concurrency, "concurrency", 0, "closed loop: senders, each waiting for its answer")
	f.IntVar(&o.count, "count", 0, "send at most this many events per phase")
	f.DurationVar(&o.duration, "duration", 0, "send for at most this long per phase")
	f.IntVar(&o.maxInFlight, "max-inflight", 2000, "open loop: POSTs under way at once before sends queue")
	f.DurationVar(&o.drain, "drain", time.Minute, "after the last send, wait this long at most for the last calls")
	f.DurationVar(&o.settle, "settle", 0, "after the last call, go on counting the processes' CPU this long: the work events leave behind (e.g. 5s for a burst, whose runs' timers fire after it)")
	f.IntVar(&o.pid, "pid", 0, "the target's process id (default: the process listening on the target's port)")
	f.StringVar(&o.db, "db", "", "the target's SQLite file, to report database and WAL growth per event")
	f.DurationVar(&o.window, "window", 0, "report figures per window of this length (e.g. 1m for a steady run)")
	f.StringVar(&o.baselines, "baselines", "forwarder,temporal", "baselines to measure after the target in each round: forwarder, temporal, both, or none")
	f.BoolVar(&o.skipTarget, "baselines-only", false, "measure only the baselines")
	f.StringVar(&o.temporal, "temporal", "", "the target's Temporal frontend (host:port), for the temporal baseline")
	f.StringVar(&o.namespace, "namespace", "default", "Temporal namespace for the temporal baseline")
	f.IntVar(&o.rounds, "rounds", 1, "repeat the target and the baselines this many times, interleaved")
	f.BoolVar(&o.jsonOut, "json", false, "print the results as JSON")
	f.StringVar(&o.jsonFile, "json-file", "", "also write the results as JSON to this file")
	f.BoolVar(&o.quiet, "quiet", false, "no progress lines")
	f.BoolVar(&o.allowRemote, "allow-remote", false, "allow a target that is not on loopback (a machine you own)")
	f.IntVar(&o.pad, "pad", 0, "bytes of padding in each event's payload")
	return cmd
}

// phaseSpec is one phase to run in each round.
type phaseSpec struct {
	name  string
	start func(ctx context.Context) (*phaseTarget, error)
}

// phaseTarget is a started target: where to post, whose CPU to read, how to stop.
type phaseTarget struct {
	url   string
	procs []bench.Proc
	db    string
	stop  func()
}

func runLoad(ctx context.Context, e env, o loadOptions) error {
	shape := bench.Shape{Rate: o.rate, Concurrency: o.concurrency, Count: o.count, Duration: o.duration, MaxInFlight: o.maxInFlight}
	if err := shape.Validate(); err != nil {
		return fmt.Errorf("%w (e.g. --concurrency 32 --count 3000, or --rate 100 --duration 30s)", err)
	}
	if o.rounds < 1 {
		return errors.New("--rounds must be at least 1")
	}
	if o.calls < 0 {
		return errors.New("--calls must not be negative")
	}
	if !o.allowRemote {
		if err := bench.CheckLoopback(o.target); err != nil {
			return err
		}
		if err := bench.CheckLoopback("http://" + o.receiver); err != nil {
			return fmt.Errorf("--receiver: %w", err)
		}
	}
	baselines, err := parseBaselines(o.baselines)
	if err != nil {
		return err
	}
	if baselines["temporal"] && o.temporal == "" {
		return errors.New("the temporal baseline needs the target's Temporal frontend: pass --temporal HOST:PORT (hookflow dev prints it; give dev a fixed --temporal-port), or --baselines forwarder")
	}
	if o.temporal != "" && !o.allowRemote {
		if err := bench.CheckLoopback("http://" + o.temporal); err != nil {
			return fmt.Errorf("--temporal: %w", err)
		}
	}

	// The receiver serves every phase; each phase has its own token prefix.
	rl, err := net.Listen("tcp", o.receiver)
	if err != nil {
		return fmt.Errorf("receiver on %s: %w (the target's integrations must call this address; choose another with --receiver)", o.receiver, err)
	}
	defer rl.Close()
	recv := &switchHandler{}
	rsrv := &http.Server{Handler: recv, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = rsrv.Serve(rl) }()
	defer rsrv.Close()
	receiverURL := "http://" + rl.Addr().String()

	client := bench.NewClient(max(o.concurrency, min(o.maxInFlight, 512)), 60*time.Second)
	var specs []phaseSpec
	var targetPID int
	if !o.skipTarget || baselines["temporal"] {
		targetPID, err = findTarget(o)
		if err != nil {
			return err
		}
	}
	var hookSign func(*http.Request, []byte, string) error
	if !o.skipTarget {
		if hookSign, err = signer(e, o); err != nil {
			return err
		}
		specs = append(specs, phaseSpec{name: "hookflow", start: func(context.Context) (*phaseTarget, error) {
			return &phaseTarget{url: strings.TrimRight(o.target, "/") + "/hooks/" + o.trigger, procs: []bench.Proc{{Role: "hookflow", PID: targetPID}}, db: o.db, stop: func() {}}, nil
		}})
	}
	if baselines["forwarder"] {
		specs = append(specs, phaseSpec{name: "forwarder", start: func(ctx context.Context) (*phaseTarget, error) {
			return startChild(ctx, e, "forwarder", []string{"baseline-forwarder", "--receiver", receiverURL, "--calls", strconv.Itoa(o.calls)}, nil)
		}})
	}
	if baselines["temporal"] {
		specs = append(specs, phaseSpec{name: "temporal", start: func(ctx context.Context) (*phaseTarget, error) {
			pt, err := startChild(ctx, e, "temporal worker+front", []string{"baseline-temporal", "--receiver", receiverURL, "--calls", strconv.Itoa(o.calls), "--temporal", o.temporal, "--namespace", o.namespace},
				[]bench.Proc{{Role: "temporal server (in the target)", PID: targetPID}})
			if pt != nil {
				pt.db = o.db // the same server, so the same database
			}
			return pt, err
		}})
	}
	if len(specs) == 0 {
		return errors.New("nothing to measure: --baselines-only with --baselines none")
	}

	report := runReport{Machine: machine(), Args: os.Args[1:], Shape: shape.String(), Calls: o.calls}
	var progress io.Writer
	if !o.quiet {
		progress = e.stderr
	}
	for round := 1; round <= o.rounds; round++ {
		for _, s := range specs {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			pt, err := s.start(ctx)
			if err != nil {
				return fmt.Errorf("%s: %w", s.name, err)
			}
			rc := bench.NewReceiver(runPrefix(), o.calls)
			recv.set(rc)
			target := &bench.Target{URL: pt.url, Client: client, Body: body(o.eventType, o.pad)}
			if s.name == "hookflow" {
				target.Sign = hookSign
			} else {
				target.Sign = standardLikeID
			}
			if progress != nil {
				fmt.Fprintf(progress, "round %d: %s, %s\n", round, s.name, shape)
			}
			p := bench.Phase{Name: s.name, Shape: shape, Target: target, Receiver: rc, Drain: o.drain, Settle: o.settle, Procs: pt.procs, DB: pt.db, Window: o.window, Progress: progress}
			res, err := p.Run(ctx)
			pt.stop()
			if err != nil {
				return fmt.Errorf("%s: %w", s.name, err)
			}
			res.Round = round
			if s.name == "hookflow" && res.SampleEventID != "" {
				res.SampleEventID = o.trigger + "/" + res.SampleEventID // the workflow ID
			}
			report.Results = append(report.Results, res)
		}
	}
	report.Ratios = ratios(report.Results)
	if o.jsonFile != "" {
		b, err := json.MarshalIndent(report, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(o.jsonFile, append(b, '\n'), 0o644); err != nil {
			return fmt.Errorf("--json-file: %w", err)
		}
	}
	if o.jsonOut {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(report)
	}
	printReport(e.stdout, report)
	return nil
}

// standardLikeID gives baseline events the delivery id a provider would
// send, so the baselines can derive keys from it as hookflow does.
func standardLikeID(req *http.Request, _ []byte, id string) error {
	req.Header.Set("Webhook-Id", id)
	return nil
}

func parseBaselines(s string) (map[string]bool, error) {
	out := map[string]bool{}
	for part := range strings.SplitSeq(s, ",") {
		switch p := strings.TrimSpace(part); p {
		case "", "none":
		case "both":
			out["forwarder"], out["temporal"] = true, true
		case "forwarder", "temporal":
			out[p] = true
		default:
			return nil, fmt.Errorf("--baselines: unknown baseline %q (forwarder, temporal, both or none)", p)
		}
	}
	return out, nil
}

// findTarget is --pid, or the process listening on the target's port.
func findTarget(o loadOptions) (int, error) {
	if o.pid > 0 {
		if _, err := bench.ReadProc(o.pid); err != nil {
			return 0, fmt.Errorf("--pid: %w", err)
		}
		return o.pid, nil
	}
	u, err := url.Parse(o.target)
	if err != nil {
		return 0, fmt.Errorf("--target: %w", err)
	}
	port, err := strconv.Atoi(u.Port())
	if err != nil {
		if u.Scheme == "https" {
			port = 443
		} else {
			port = 80
		}
	}
	pid, err := bench.ListenerPID(port)
	if err != nil {
		return 0, fmt.Errorf("find the target's process: %w", err)
	}
	return pid, nil
}

// signer signs like the trigger's provider, with the project's secret.
func signer(e env, o loadOptions) (func(*http.Request, []byte, string) error, error) {
	getenv := func(k string) (string, bool) {
		if v, ok := e.getenv(k); ok {
			return v, true
		}
		if k == "BENCH_RECEIVER_URL" { // the bench project's integrations; any value loads
			return "http://" + o.receiver, true
		}
		return "", false
	}
	p, err := project.Load(o.projectDir, getenv)
	if err != nil {
		return nil, fmt.Errorf("load --project %s for the trigger's signature: %w", o.projectDir, err)
	}
	t, ok := p.Triggers.Get(o.trigger)
	if !ok {
		return nil, fmt.Errorf("trigger %q is not in %s (it has: %s)", o.trigger, o.projectDir, strings.Join(p.Triggers.Names(), ", "))
	}
	cfg := t.Verify
	return func(req *http.Request, body []byte, id string) error {
		h, err := verify.Sign(cfg, verify.Request{Method: req.Method, URL: req.URL.String(), Header: req.Header, Body: body}, id, time.Now())
		if err != nil {
			return err
		}
		for k, v := range h {
			req.Header[k] = v
		}
		return nil
	}, nil
}

// body is an event's payload: its token is its id, so rules can put it in
// the calls' bodies too.
func body(eventType string, pad int) func(token string, seq int) []byte {
	padding := strings.Repeat("x", max(pad, 0))
	return func(token string, seq int) []byte {
		return fmt.Appendf(nil, `{"id":%q,"type":%q,"data":{"email":"bench@example.com","n":%d,"pad":%q}}`, token, eventType, seq, padding)
	}
}

// runPrefix is a fresh token prefix, so calls left over from an earlier
// phase or run are never counted in this one.
func runPrefix() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return "hb" + hex.EncodeToString(b) + "-"
}

// startChild starts a baseline as a child process of this binary, so its
// CPU is read on its own. The child prints "listening on ADDR" first.
func startChild(ctx context.Context, e env, role string, args []string, extra []bench.Proc) (*phaseTarget, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, self, args...)
	cmd.Stderr = e.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", role, err)
	}
	stop := func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}
	lines := bufio.NewScanner(out)
	addr := make(chan string, 1)
	go func() {
		for lines.Scan() {
			if a, ok := strings.CutPrefix(lines.Text(), "listening on "); ok {
				addr <- a
			}
		}
	}()
	select {
	case a := <-addr:
		procs := append([]bench.Proc{{Role: role, PID: cmd.Process.Pid}}, extra...)
		return &phaseTarget{url: "http://" + a + "/hooks/baseline", procs: procs, stop: stop}, nil
	case <-time.After(60 * time.Second):
		stop()
		return nil, fmt.Errorf("%s did not start listening within a minute", role)
	}
}

// switchHandler hands each call to the current phase's receiver.
type switchHandler struct {
	cur atomic.Pointer[bench.Receiver]
}

func (s *switchHandler) set(r *bench.Receiver) { s.cur.Store(r) }

func (s *switchHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if rc := s.cur.Load(); rc != nil {
		rc.ServeHTTP(w, r)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func machine() machineInfo {
	m := machineInfo{CPUs: runtime.NumCPU(), GOOS: runtime.GOOS, GOARCH: runtime.GOARCH, Go: runtime.Version()}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		if _, err := fmt.Sscanf(string(b), "MemTotal: %d kB", &kb); err == nil {
			m.Memory = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
		}
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		m.LoadAvg = strings.TrimSpace(string(b))
	}
	return m
}
