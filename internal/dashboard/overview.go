package dashboard

import (
	"maps"
	"math"
	"net/http"
	"slices"
	"sort"
	"time"

	"github.com/hookflow/hookflow/internal/telemetry"
)

// overviewView is what the page polls: everything it shows.
type overviewView struct {
	Role        string    `json:"role"`
	Now         time.Time `json:"now"`
	Started     time.Time `json:"started"`
	StepSeconds float64   `json:"step_seconds"`
	// Times ends each chart point; the last point is the step so far.
	Times        []time.Time       `json:"times"`
	Namespace    string            `json:"namespace"`
	UIBase       string            `json:"ui_url,omitempty"`
	Replay       bool              `json:"replay"`
	RefreshMs    int64             `json:"refresh_ms"`
	Triggers     []triggerView     `json:"triggers"`
	Integrations []integrationView `json:"integrations"`
	HealthNote   string            `json:"health_note,omitempty"`
	Failed       failedView        `json:"failed"`
	Search       []string          `json:"search_attributes"`
}

// triggerView is one trigger over the window: what the door answered.
type triggerView struct {
	Name       string        `json:"name"`
	Received   float64       `json:"received"`
	Accepted   float64       `json:"accepted"`
	Rejected   float64       `json:"rejected"`
	ByStatus   []statusCount `json:"by_status"`
	Duplicates float64       `json:"duplicates"`
	// AcceptedSeries and RejectedSeries count answers per step; null
	// before the process started.
	AcceptedSeries []*float64 `json:"accepted_series"`
	RejectedSeries []*float64 `json:"rejected_series"`
	Configured     bool       `json:"configured"`
}

type statusCount struct {
	Status int     `json:"status"`
	Count  float64 `json:"count"`
}

// integrationView is one integration over the window: its calls and health.
type integrationView struct {
	Name      string  `json:"name"`
	Calls     float64 `json:"calls"`
	Succeeded float64 `json:"succeeded"`
	Retryable float64 `json:"retryable"`
	Permanent float64 `json:"permanent"`
	Skipped   float64 `json:"skipped"`
	// SuccessRate is succeeded/calls, null without calls.
	SuccessRate *float64 `json:"success_rate"`
	Retries     float64  `json:"retries"`
	// P50Ms and P95Ms are latency estimates from the histogram, in ms.
	P50Ms        *float64   `json:"p50_ms"`
	P95Ms        *float64   `json:"p95_ms"`
	OKSeries     []*float64 `json:"ok_series"`
	FailedSeries []*float64 `json:"failed_series"`
	P50Series    []*float64 `json:"p50_series"`
	P95Series    []*float64 `json:"p95_series"`
	// Circuit is "open" while its health check fails (its steps wait),
	// "closed" while it passes, "" without a health check.
	Circuit    string      `json:"circuit"`
	Health     *healthView `json:"health,omitempty"`
	Configured bool        `json:"configured"`
}

func (h *Handler) overview(w http.ResponseWriter, r *http.Request) {
	p := h.project.Load()
	v := overviewView{
		Role: h.o.Role, Started: h.started, Namespace: h.o.Namespace, UIBase: h.o.UIBase,
		Replay: h.o.Replay != nil, RefreshMs: h.o.Refresh.Milliseconds(), Search: searchAttributeNames(p),
	}
	var steps []telemetry.Snapshot
	if h.o.History != nil {
		samples, live := h.o.History.Read()
		v.Now, v.StepSeconds = live.At, h.o.History.Step().Seconds()
		steps, v.Times = perStep(samples, live, h.o.History.Points(), h.o.History.Step())
	} else {
		v.Now = time.Now()
	}
	total := telemetry.Snapshot{}
	if len(steps) > 0 {
		total = sum(steps)
	}
	v.Triggers = triggerViews(p, total, steps, len(v.Times))
	health, note := h.health.current(r.Context(), v.Now)
	v.HealthNote = note
	v.Integrations = integrationViews(p, total, steps, len(v.Times), health, h.health.history(v.Now, time.Duration(len(v.Times))*h.step()))
	v.Failed = h.failed.view(r.Context())
	writeJSON(w, http.StatusOK, v)
}

func (h *Handler) step() time.Duration {
	if h.o.History == nil {
		return time.Minute
	}
	return h.o.History.Step()
}

// perStep turns snapshots into per-step increases, newest last (the last one
// the step so far), at most points of them, with the time each ends.
// Steps before the process started are missing: the slice is shorter and
// the times start earlier, padded.
func perStep(samples []telemetry.Snapshot, live telemetry.Snapshot, points int, step time.Duration) ([]telemetry.Snapshot, []time.Time) {
	all := append(slices.Clone(samples), live)
	var steps []telemetry.Snapshot
	for i := 1; i < len(all); i++ {
		steps = append(steps, all[i].Sub(all[i-1]))
	}
	if len(steps) > points {
		steps = steps[len(steps)-points:]
	}
	times := make([]time.Time, points)
	first := points - len(steps)
	for i := range times {
		if i >= first {
			times[i] = steps[i-first].At
		} else {
			times[i] = steps[0].At.Add(-time.Duration(first-i) * step)
		}
	}
	return steps, times
}

// sum adds per-step increases into one.
func sum(steps []telemetry.Snapshot) telemetry.Snapshot {
	out := telemetry.Snapshot{At: steps[len(steps)-1].At, Webhooks: map[telemetry.WebhookKey]float64{}, Duplicates: map[string]float64{},
		Calls: map[telemetry.CallKey]float64{}, Retries: map[string]float64{}, Latency: map[string]telemetry.Histogram{}}
	for _, s := range steps {
		for k, v := range s.Webhooks {
			out.Webhooks[k] += v
		}
		for k, v := range s.Duplicates {
			out.Duplicates[k] += v
		}
		for k, v := range s.Calls {
			out.Calls[k] += v
		}
		for k, v := range s.Retries {
			out.Retries[k] += v
		}
		for k, h := range s.Latency {
			out.Latency[k] = addHistogram(out.Latency[k], h)
		}
	}
	return out
}

func addHistogram(a, b telemetry.Histogram) telemetry.Histogram {
	if a.Bounds == nil {
		return telemetry.Histogram{Bounds: b.Bounds, Counts: slices.Clone(b.Counts), Count: b.Count, Sum: b.Sum}
	}
	for i := range a.Counts {
		if i < len(b.Counts) {
			a.Counts[i] += b.Counts[i]
		}
	}
	a.Count += b.Count
	a.Sum += b.Sum
	return a
}

// series is f of each step, padded with nulls before the first.
func series(steps []telemetry.Snapshot, points int, f func(telemetry.Snapshot) *float64) []*float64 {
	out := make([]*float64, points)
	first := points - len(steps)
	for i, s := range steps {
		out[first+i] = f(s)
	}
	return out
}

func num(v float64) *float64 { return &v }

func accepted(status int) bool { return status >= 200 && status < 300 }

func triggerViews(p *Project, total telemetry.Snapshot, steps []telemetry.Snapshot, points int) []triggerView {
	names := map[string]bool{}
	for _, n := range p.Triggers {
		names[n] = true
	}
	seen := map[string]bool{}
	for k := range total.Webhooks {
		seen[k.Trigger] = true
	}
	for _, n := range p.Triggers {
		seen[n] = true
	}
	out := []triggerView{}
	for _, name := range sortedKeys(seen) {
		t := triggerView{Name: name, Configured: names[name], Duplicates: total.Duplicates[name]}
		byStatus := map[int]float64{}
		for k, v := range total.Webhooks {
			if k.Trigger != name || v == 0 {
				continue
			}
			t.Received += v
			if accepted(k.Status) {
				t.Accepted += v
			} else {
				t.Rejected += v
				byStatus[k.Status] += v
			}
		}
		for _, st := range slices.Sorted(maps.Keys(byStatus)) {
			t.ByStatus = append(t.ByStatus, statusCount{st, byStatus[st]})
		}
		t.AcceptedSeries = series(steps, points, func(s telemetry.Snapshot) *float64 { return num(countWebhooks(s, name, true)) })
		t.RejectedSeries = series(steps, points, func(s telemetry.Snapshot) *float64 { return num(countWebhooks(s, name, false)) })
		out = append(out, t)
	}
	return out
}

func countWebhooks(s telemetry.Snapshot, trigger string, ok bool) float64 {
	n := 0.0
	for k, v := range s.Webhooks {
		if k.Trigger == trigger && accepted(k.Status) == ok {
			n += v
		}
	}
	return n
}

func integrationViews(p *Project, total telemetry.Snapshot, steps []telemetry.Snapshot, points int, health map[string]healthView, history map[string][]segment) []integrationView {
	configured := map[string]Integration{}
	seen := map[string]bool{}
	for _, in := range p.Integrations {
		configured[in.Name], seen[in.Name] = in, true
	}
	for k := range total.Calls {
		seen[k.Integration] = true
	}
	for n := range health {
		seen[n] = true
	}
	out := []integrationView{}
	for _, name := range sortedKeys(seen) {
		in, ok := configured[name]
		v := integrationView{
			Name: name, Configured: ok,
			Succeeded: total.Calls[telemetry.CallKey{Integration: name, Outcome: telemetry.OutcomeSuccess}],
			Retryable: total.Calls[telemetry.CallKey{Integration: name, Outcome: telemetry.OutcomeRetryable}],
			Permanent: total.Calls[telemetry.CallKey{Integration: name, Outcome: telemetry.OutcomePermanent}],
			Skipped:   total.Calls[telemetry.CallKey{Integration: name, Outcome: telemetry.OutcomeSkipped}],
			Retries:   total.Retries[name],
		}
		v.Calls = v.Succeeded + v.Retryable + v.Permanent
		if v.Calls > 0 {
			v.SuccessRate = num(v.Succeeded / v.Calls)
		}
		lat := total.Latency[name]
		v.P50Ms, v.P95Ms = quantileMs(lat, 0.5), quantileMs(lat, 0.95)
		v.OKSeries = series(steps, points, func(s telemetry.Snapshot) *float64 {
			return num(s.Calls[telemetry.CallKey{Integration: name, Outcome: telemetry.OutcomeSuccess}])
		})
		v.FailedSeries = series(steps, points, func(s telemetry.Snapshot) *float64 {
			return num(s.Calls[telemetry.CallKey{Integration: name, Outcome: telemetry.OutcomeRetryable}] + s.Calls[telemetry.CallKey{Integration: name, Outcome: telemetry.OutcomePermanent}])
		})
		v.P50Series = series(steps, points, func(s telemetry.Snapshot) *float64 { return quantileMs(s.Latency[name], 0.5) })
		v.P95Series = series(steps, points, func(s telemetry.Snapshot) *float64 { return quantileMs(s.Latency[name], 0.95) })
		if hv, ok := health[name]; ok {
			hv.History = history[name]
			v.Health = &hv
			v.Circuit = map[bool]string{true: "closed", false: "open"}[hv.Up]
		} else if in.Checked {
			v.Health = &healthView{Pending: true, History: history[name]}
			v.Circuit = "closed"
		}
		out = append(out, v)
	}
	return out
}

// quantileMs is the q-quantile in milliseconds, nil without observations.
func quantileMs(h telemetry.Histogram, q float64) *float64 {
	v := h.Quantile(q)
	if math.IsNaN(v) {
		return nil
	}
	return num(math.Round(v*10000) / 10) // 0.1 ms
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func searchAttributeNames(p *Project) []string {
	out := []string{"WorkflowId", "HookEventId"}
	for _, n := range slices.Sorted(maps.Keys(p.SearchAttributes)) {
		if searchable(p.SearchAttributes[n]) {
			out = append(out, n)
		}
	}
	return out
}
