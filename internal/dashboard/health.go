package dashboard

import (
	"context"
	"sync"
	"time"

	"github.com/hookflow/hookflow/activities"
)

// healthEvery is how often the dashboard asks the health monitor, so the
// history holds outages longer than that even while no one watches.
const healthEvery = 15 * time.Second

// healthCacheFor lets several viewers share one query.
const healthCacheFor = 2 * time.Second

// healthView is one integration's health as the monitor last saw it.
type healthView struct {
	Up       bool      `json:"up"`
	Since    time.Time `json:"since"`
	Checked  time.Time `json:"checked"`
	Message  string    `json:"message,omitempty"`
	Interval float64   `json:"interval_seconds,omitempty"`
	// Pending: the integration has a health check the monitor has not run yet.
	Pending bool      `json:"pending,omitempty"`
	History []segment `json:"history"`
}

// segment is a stretch of one health state, from its start to the next
// segment's (or now).
type segment struct {
	From    time.Time `json:"from"`
	Up      bool      `json:"up"`
	Message string    `json:"message,omitempty"`
}

// healthLog asks the health monitor (cluster-wide: one workflow answers
// every process) and keeps, per integration, the states it went through
// since this process first asked. A state's Since marks when it began, so
// the history is exact for every change that lasted past one query.
type healthLog struct {
	t    Temporal
	keep time.Duration

	mu       sync.Mutex
	asked    time.Time
	states   map[string]activities.HealthState
	note     string
	segments map[string][]segment
}

// newHealthLog keeps what happened in the last keep (the dashboard's window).
func newHealthLog(t Temporal, keep time.Duration) *healthLog {
	return &healthLog{t: t, keep: keep, segments: map[string][]segment{}}
}

// observe asks the monitor now and records what changed.
func (l *healthLog) observe(ctx context.Context, now time.Time) {
	if l.t == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	var states map[string]activities.HealthState
	note := ""
	if v, err := l.t.QueryWorkflow(ctx, activities.HealthWorkflowID, "", activities.HealthQuery); err != nil {
		note = "no health monitor answers: add health_check to an integration to watch it"
	} else if err := v.Get(&states); err != nil {
		note = "the health monitor answered unreadably: " + err.Error()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.asked, l.states, l.note = now, states, note
	for name, st := range states {
		segs := l.segments[name]
		if n := len(segs); n > 0 && segs[n-1].Up == st.Up && !st.Since.After(segs[n-1].From) {
			continue
		}
		from := st.Since
		if from.IsZero() {
			from = now
		}
		l.segments[name] = inWindow(append(segs, segment{From: from, Up: st.Up, Message: st.Message}), now.Add(-l.keep))
	}
}

// inWindow drops the segments that ended before start: all but the one
// holding at start and those after it.
func inWindow(segs []segment, start time.Time) []segment {
	i := 0
	for i+1 < len(segs) && !segs[i+1].From.After(start) {
		i++
	}
	return segs[i:]
}

// current is the monitor's answer, at most healthCacheFor old.
func (l *healthLog) current(ctx context.Context, now time.Time) (map[string]healthView, string) {
	l.mu.Lock()
	fresh := now.Sub(l.asked) < healthCacheFor
	l.mu.Unlock()
	if !fresh {
		l.observe(ctx, now)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[string]healthView, len(l.states))
	for name, st := range l.states {
		out[name] = healthView{Up: st.Up, Since: st.Since, Checked: st.Checked, Message: st.Message, Interval: st.Interval.Seconds()}
	}
	return out, l.note
}

// history is each integration's states over the window: the one it was in
// when the window began, then every change.
func (l *healthLog) history(now time.Time, window time.Duration) map[string][]segment {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[string][]segment{}
	for name, segs := range l.segments {
		out[name] = append([]segment(nil), inWindow(segs, now.Add(-window))...)
	}
	return out
}
