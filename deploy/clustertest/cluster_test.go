//go:build cluster

package clustertest

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/hookflow/hookflow/workflows"
)

const namespace = "default"

// cluster is everything the test started.
type cluster struct {
	t        *testing.T
	lb       *balancer
	nodes    []*temporalNode
	serves   []*hookflowProc
	workers  []*hookflowProc
	receiver *receiver
	sender   *sender
	results  []phaseResult
}

// TestCluster runs hookflow on two Temporal nodes on PostgreSQL and kills
// one of each kind of process under load. It checks, for every event a serve
// acknowledged (2xx): each step's effect reached the receiver (none lost),
// and the event has exactly one run. It reports duplicated attempts (which
// the receiver's Idempotency-Key dedupe absorbs) and how long the cluster
// took to deliver everything after each kill.
func TestCluster(t *testing.T) {
	root := repoRoot(t)
	dir := t.TempDir()
	began := time.Now()
	bin := buildHookflow(t, root, dir)
	c := &cluster{t: t, receiver: newReceiver(t, 200*time.Millisecond)}
	var version string
	c.lb, c.nodes, version = startTemporal(t, root, dir, 2)

	project := writeClusterProject(t, dir)
	env := []string{"RECEIVER_URL=" + c.receiver.srv.URL}
	setupHookflow(t, bin, env, c.lb.addr(), project)
	for i := range 2 {
		c.serves = append(c.serves, newServe(t, dir, fmt.Sprintf("serve-%d", i+1), bin, project, c.lb.addr(), env))
		c.workers = append(c.workers, newWorker(t, dir, fmt.Sprintf("worker-%d", i+1), bin, project, c.lb.addr(), env))
	}
	for _, p := range append(slices.Clone(c.workers), c.serves...) {
		p.start()
	}
	for _, s := range c.serves {
		s.waitReady(t, 90*time.Second)
	}
	c.sender = newSender(c.serves[0].url, c.serves[1].url)
	c.warmUp()
	t.Logf("cluster up in %s: temporal %s, 2 nodes; 2 serve, 2 worker", time.Since(began).Round(time.Second), version)

	const events, rate = 150, 25.0
	c.phase("baseline (no kill)", events, rate, func() time.Time { return time.Now() }, nil)
	c.phase("kill -9 worker-1, restart it 5 s later", events, rate, c.workers[0].kill, c.workers[0].start)
	c.phase("kill -9 serve-1", events, rate, c.serves[0].kill, nil)
	c.serves[0].start()
	c.serves[0].waitReady(t, 60*time.Second)
	c.phase("kill -9 temporal-2", events, rate, c.nodes[1].kill, nil)
	c.outage(60, 10.0)

	c.checkRuns()
	c.report(time.Since(began))
}

// warmUp sends one event until it is acknowledged and delivered: the
// nodes' caches know the namespace and search attributes, so the baseline
// measures a cluster at work, not one starting.
func (c *cluster) warmUp() {
	c.sender.send("warm-up", "warm-up", 0)
	for _, k := range stepKeys("warm-up") {
		if err := waitFor(60*time.Second, "warm-up event delivered", func() error {
			if _, ok := c.receiver.effect(k); !ok {
				return fmt.Errorf("no %s yet", k)
			}
			return nil
		}); err != nil {
			c.t.Fatal(err)
		}
	}
}

// phaseResult is one phase's figures.
type phaseResult struct {
	name               string
	events, acked      int
	lost               int
	duplicated         int           // attempts beyond the first, absorbed by the receiver
	failedPosts        int           // POSTs answered other than 2xx, or not at all
	statuses           map[int]int   // their statuses; 0 is no answer
	slowestAck         time.Duration // first POST → 2xx, the slowest event
	drain              time.Duration // kill → the last effect of an acknowledged event
	abandoned          int           // calls cut by a killed worker
	resumeMax, resume0 time.Duration // kill → their next attempt: slowest and fastest
	notes              []string
}

// phase sends events at rate, kills something a third of the way through
// and, if then is given, calls it 5 s after the kill. It waits until every
// acknowledged event's effects arrived and records the figures.
func (c *cluster) phase(name string, events int, rate float64, kill func() time.Time, then func()) {
	t := c.t
	id := fmt.Sprintf("p%d", len(c.results)+1)
	killAt := events / 3
	var killed time.Time
	var wg sync.WaitGroup
	tick := time.Duration(float64(time.Second) / rate)
	for i := range events {
		if i == killAt {
			killed = kill()
		}
		if then != nil && !killed.IsZero() && time.Since(killed) >= 5*time.Second {
			then()
			then = nil
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.sender.send(name, fmt.Sprintf("%s-%03d", id, i), i)
		}()
		time.Sleep(tick)
	}
	if then != nil {
		time.Sleep(time.Until(killed.Add(5 * time.Second)))
		then()
	}
	wg.Wait()
	r := c.settle(name, killed)
	if strings.Contains(name, "worker") {
		var after []time.Duration
		r.abandoned, after = c.receiver.resumed(killed)
		if len(after) > 0 {
			r.resume0, r.resumeMax = slices.Min(after), slices.Max(after)
		}
		if len(after) < r.abandoned {
			r.notes = append(r.notes, fmt.Sprintf("%d abandoned calls were never attempted again", r.abandoned-len(after)))
		}
	}
	c.results = append(c.results, r)
	t.Logf("%s: %d events, %d acknowledged, %d lost, %d attempts duplicated, drained %s after the kill",
		name, r.events, r.acked, r.lost, r.duplicated, r.drain.Round(10*time.Millisecond))
}

// settle waits for the effects of a phase's acknowledged events and counts.
func (c *cluster) settle(name string, from time.Time) phaseResult {
	ds := c.sender.phase(name)
	r := phaseResult{name: name, events: len(ds), statuses: map[int]int{}}
	var keys []string
	for _, d := range ds {
		for _, a := range d.answers {
			if a.status < 200 || a.status > 299 {
				r.failedPosts++
				r.statuses[a.status]++
			}
		}
		if d.acked.IsZero() {
			continue
		}
		r.acked++
		r.slowestAck = max(r.slowestAck, d.acked.Sub(d.first))
		keys = append(keys, stepKeys(d.id)...)
	}
	// Wait for every effect; whatever is missing after the wait is lost.
	_ = waitFor(3*time.Minute, name+": effects of acknowledged events", func() error {
		for _, k := range keys {
			if _, ok := c.receiver.effect(k); !ok {
				return fmt.Errorf("no %s", k)
			}
		}
		return nil
	})
	lostEvents := map[string]bool{}
	var last time.Time
	for _, k := range keys {
		at, ok := c.receiver.effect(k)
		if !ok {
			lostEvents[strings.Split(k, "/")[1]] = true
			continue
		}
		last = maxTime(last, at)
	}
	r.lost = len(lostEvents)
	r.drain = last.Sub(from)
	r.duplicated = c.receiver.duplicated(keys)
	if r.acked != r.events {
		c.t.Errorf("%s: %d of %d events were never acknowledged within %s", name, r.events-r.acked, r.events, c.sender.giveUp)
	}
	if r.lost > 0 {
		c.t.Errorf("%s: %d acknowledged events lost: %v", name, r.lost, keysOf(lostEvents))
	}
	return r
}

// outage stops Temporal entirely (kill -9 of every node still running),
// sends events that must all be answered 503, never 2xx, restarts both
// nodes, and checks the senders' retries then succeed.
func (c *cluster) outage(events int, rate float64) {
	t := c.t
	name := "Temporal stopped entirely, then restarted"
	for _, n := range c.nodes {
		if n.running() {
			n.kill()
		}
	}
	stopped := time.Now()
	var wg sync.WaitGroup
	for i := range events {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.sender.send(name, fmt.Sprintf("outage-%03d", i), i)
		}()
		time.Sleep(time.Duration(float64(time.Second) / rate))
	}
	// Hold the outage until every event was answered at least once.
	if err := waitFor(time.Minute, "every outage event answered", func() error {
		for _, d := range c.sender.phase(name) {
			if len(d.answers) == 0 {
				return fmt.Errorf("%s has no answer yet", d.id)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	restarted := time.Now()
	for _, n := range c.nodes {
		n.start()
	}
	wg.Wait()
	r := c.settle(name, restarted)
	var during, not503 int
	for _, d := range c.sender.phase(name) {
		for _, a := range d.answers {
			if a.at.After(restarted) {
				continue
			}
			during++
			if a.status >= 200 && a.status <= 299 {
				t.Errorf("%s was acknowledged (%d) while Temporal was down", d.id, a.status)
			}
			if a.status != 503 {
				not503++
			}
		}
	}
	if not503 > 0 {
		t.Errorf("%d of %d posts during the outage were answered other than 503: %v", not503, during, r.statuses)
	}
	r.notes = append(r.notes, fmt.Sprintf("%d posts during the %s outage, all 503", during-not503, restarted.Sub(stopped).Round(time.Second)))
	c.results = append(c.results, r)
	t.Logf("%s: %d posts during the outage answered 503; after the restart %d of %d acknowledged, drained %s after the restart",
		name, during, r.acked, r.events, r.drain.Round(10*time.Millisecond))
}

// checkRuns asks Temporal for every run: each event sent has exactly one,
// and it completed.
func (c *cluster) checkRuns() {
	t := c.t
	tc, err := client.Dial(client.Options{HostPort: c.lb.addr(), Namespace: namespace, Logger: quiet{}})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	sent := map[string]bool{}
	for _, d := range c.sender.all() {
		sent["orders/"+d.id] = true
	}
	var runs map[string][]enumspb.WorkflowExecutionStatus
	// Visibility lags history a little: wait until it shows every run closed.
	err = waitFor(2*time.Minute, "every run completed in visibility", func() error {
		runs = map[string][]enumspb.WorkflowExecutionStatus{}
		var token []byte
		for {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			resp, err := tc.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
				Namespace: namespace, PageSize: 1000, NextPageToken: token,
				Query: fmt.Sprintf("WorkflowType = '%s'", workflows.WorkflowName),
			})
			cancel()
			if err != nil {
				return err
			}
			for _, e := range resp.GetExecutions() {
				id := e.GetExecution().GetWorkflowId()
				runs[id] = append(runs[id], e.GetStatus())
			}
			if token = resp.GetNextPageToken(); len(token) == 0 {
				break
			}
		}
		for id := range sent {
			st := runs[id]
			if len(st) == 0 || st[len(st)-1] == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
				return fmt.Errorf("%s: runs %v", id, st)
			}
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
	var twice, notCompleted, unknown []string
	for id, st := range runs {
		switch {
		case !sent[id]:
			unknown = append(unknown, id)
		case len(st) > 1:
			twice = append(twice, fmt.Sprintf("%s %v", id, st))
		case st[0] != enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
			notCompleted = append(notCompleted, fmt.Sprintf("%s %v", id, st[0]))
		}
	}
	if len(twice) > 0 {
		t.Errorf("%d events have more than one run: %v", len(twice), twice)
	}
	if len(notCompleted) > 0 {
		t.Errorf("%d runs did not complete: %v", len(notCompleted), notCompleted)
	}
	if len(unknown) > 0 {
		t.Errorf("runs for events never sent: %v", unknown)
	}
	var stray []string
	for _, k := range c.receiver.keys() {
		if !sent["orders/"+strings.Split(k, "/")[1]] {
			stray = append(stray, k)
		}
	}
	if len(stray) > 0 {
		t.Errorf("the receiver got keys of no event sent: %v", stray)
	}
	if c.receiver.missing > 0 {
		t.Errorf("%d calls came without an Idempotency-Key", c.receiver.missing)
	}
	t.Logf("%d events sent, %d runs, each completed once", len(sent), len(runs))
}

// report prints the figures as a Markdown table, and writes it to the file
// HOOKFLOW_CLUSTER_REPORT names, for the README.
func (c *cluster) report(took time.Duration) {
	var b strings.Builder
	fmt.Fprintf(&b, "| phase | events | acknowledged | lost | attempts duplicated | POSTs not 2xx | slowest ack | drained after the kill |\n|---|---|---|---|---|---|---|---|\n")
	total := phaseResult{statuses: map[int]int{}}
	for _, r := range c.results {
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %d%s | %s | %s |\n", r.name, r.events, r.acked, r.lost, r.duplicated,
			r.failedPosts, statusList(r.statuses), r.slowestAck.Round(10*time.Millisecond), r.drain.Round(10*time.Millisecond))
		total.events += r.events
		total.acked += r.acked
		total.lost += r.lost
		total.duplicated += r.duplicated
	}
	fmt.Fprintf(&b, "| **all** | %d | %d | %d | %d | | | |\n", total.events, total.acked, total.lost, total.duplicated)
	for _, r := range c.results {
		if r.abandoned > 0 {
			fmt.Fprintf(&b, "\n%s: %d calls in flight on the killed worker were cut; their next attempts began %s–%s after the kill.\n",
				r.name, r.abandoned, r.resume0.Round(10*time.Millisecond), r.resumeMax.Round(10*time.Millisecond))
		}
		for _, n := range r.notes {
			fmt.Fprintf(&b, "\n%s: %s.\n", r.name, n)
		}
	}
	fmt.Fprintf(&b, "\nWhole test: %s.\n", took.Round(time.Second))
	c.t.Logf("cluster report:\n%s", b.String())
	if path := os.Getenv("HOOKFLOW_CLUSTER_REPORT"); path != "" {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			c.t.Error(err)
		}
	}
}

func statusList(m map[int]int) string {
	if len(m) == 0 {
		return ""
	}
	var parts []string
	for _, s := range slices.Sorted(maps.Keys(m)) {
		label := fmt.Sprint(s)
		if s == 0 {
			label = "no answer"
		}
		parts = append(parts, fmt.Sprintf("%s ×%d", label, m[s]))
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func keysOf(m map[string]bool) []string { return slices.Sorted(maps.Keys(m)) }
