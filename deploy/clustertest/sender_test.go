//go:build cluster

package clustertest

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// sender posts events as a webhook provider does: to one serve, and after a
// failure (no answer, or any status but 2xx) again, to the other serve,
// with a growing pause, until a 2xx acknowledges the event or it gives up.
type sender struct {
	serves  []string // base URLs of the serve processes
	client  *http.Client
	giveUp  time.Duration
	maxWait time.Duration

	mu     sync.Mutex
	events map[string]*delivery
	order  []string
}

// delivery is one event's story at the sender.
type delivery struct {
	id      string
	phase   string
	first   time.Time
	acked   time.Time // zero until a 2xx
	answers []answer
}

// answer is one POST's outcome; status 0 means no HTTP answer.
type answer struct {
	sent, at time.Time
	serve    int
	status   int
	err      string
}

func newSender(serves ...string) *sender {
	return &sender{
		serves:  serves,
		client:  &http.Client{Timeout: 10 * time.Second},
		giveUp:  3 * time.Minute,
		maxWait: 2 * time.Second,
		events:  map[string]*delivery{},
	}
}

// send delivers one event; it returns once the event is acknowledged or
// the sender gave up. n picks the serve tried first.
func (s *sender) send(phase, id string, n int) {
	d := &delivery{id: id, phase: phase, first: time.Now()}
	s.mu.Lock()
	s.events[id] = d
	s.order = append(s.order, id)
	s.mu.Unlock()
	body := fmt.Appendf(nil, `{"id":%q,"n":%d}`, id, n)
	wait := 250 * time.Millisecond
	for try := 0; ; try++ {
		target := (n + try) % len(s.serves)
		a := s.post(target, id, body)
		s.mu.Lock()
		d.answers = append(d.answers, a)
		if a.status >= 200 && a.status < 300 {
			d.acked = a.at
		}
		s.mu.Unlock()
		if !d.acked.IsZero() || time.Since(d.first) > s.giveUp {
			return
		}
		time.Sleep(wait)
		wait = min(2*wait, s.maxWait)
	}
}

func (s *sender) post(target int, id string, body []byte) answer {
	a := answer{sent: time.Now(), serve: target}
	req, err := http.NewRequest(http.MethodPost, s.serves[target]+"/hooks/orders", bytes.NewReader(body))
	if err != nil {
		panic(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Event-Id", id)
	resp, err := s.client.Do(req)
	a.at = time.Now()
	if err != nil {
		a.err = err.Error()
		return a
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	a.status = resp.StatusCode
	return a
}

// phase returns copies of the deliveries of one phase, in send order.
func (s *sender) phase(name string) []delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []delivery
	for _, id := range s.order {
		if d := s.events[id]; d.phase == name {
			c := *d
			c.answers = append([]answer(nil), d.answers...)
			out = append(out, c)
		}
	}
	return out
}

// all returns copies of every delivery, in send order.
func (s *sender) all() []delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]delivery, 0, len(s.order))
	for _, id := range s.order {
		c := *s.events[id]
		c.answers = append([]answer(nil), s.events[id].answers...)
		out = append(out, c)
	}
	return out
}
