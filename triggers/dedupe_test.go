package triggers

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hookflow/hookflow/triggers/verify"
)

func TestDedupeCache(t *testing.T) {
	clk := &clock{t: time.Unix(1700000000, 0)}
	c := newDedupeCache(2, clk.Now)
	ctx := context.Background()
	starts := 0
	start := func(run string) func() (Started, error) {
		return func() (Started, error) { starts++; return Started{WorkflowID: "t/" + run, RunID: run}, nil }
	}
	a, b, d := bodyKey("t", []byte("a")), bodyKey("t", []byte("b")), bodyKey("t", []byte("d"))

	s, replayed, err := c.do(ctx, a, time.Hour, start("a1"))
	if err != nil || replayed || s.RunID != "a1" || s.Duplicate {
		t.Fatalf("first: %+v %v %v", s, replayed, err)
	}
	s, replayed, _ = c.do(ctx, a, time.Hour, start("a2"))
	if !replayed || s.RunID != "a1" || !s.Duplicate || starts != 1 {
		t.Fatalf("replay: %+v replayed=%v starts=%d", s, replayed, starts)
	}
	if _, replayed, _ := c.do(ctx, bodyKey("other", []byte("a")), time.Hour, start("o1")); replayed {
		t.Fatal("the same body on another trigger is a different key")
	}

	t.Run("expires after the window", func(t *testing.T) {
		clk.Advance(59 * time.Minute)
		if _, replayed, _ := c.do(ctx, a, time.Hour, start("x")); !replayed {
			t.Fatal("expired early")
		}
		clk.Advance(time.Minute)
		if s, replayed, _ := c.do(ctx, a, time.Hour, start("a3")); replayed || s.RunID != "a3" {
			t.Fatalf("not expired at the window's end: %+v", s)
		}
	})
	t.Run("bounded: the oldest stored goes first", func(t *testing.T) {
		c.do(ctx, b, time.Hour, start("b1"))
		c.do(ctx, d, time.Hour, start("d1"))
		if n := c.orders["t"].Len(); n != 2 {
			t.Fatalf("trigger t holds %d, want its capacity 2", n)
		}
		if _, replayed, _ := c.do(ctx, d, time.Hour, start("x")); !replayed {
			t.Fatal("newest entry was evicted")
		}
		if s, replayed, _ := c.do(ctx, a, time.Hour, start("a4")); replayed || s.RunID != "a4" {
			t.Fatal("oldest entry was kept beyond capacity")
		}
	})
	t.Run("a failed start is not remembered", func(t *testing.T) {
		e := bodyKey("t", []byte("e"))
		down := errors.New("temporal down")
		if _, _, err := c.do(ctx, e, time.Hour, func() (Started, error) { return Started{}, down }); !errors.Is(err, down) {
			t.Fatalf("err %v", err)
		}
		if s, replayed, _ := c.do(ctx, e, time.Hour, start("e1")); replayed || s.RunID != "e1" {
			t.Fatalf("retry after failure: %+v replayed=%v", s, replayed)
		}
	})
	t.Run("a panicking start is not remembered and frees the key", func(t *testing.T) {
		p := bodyKey("t", []byte("p"))
		func() {
			defer func() { _ = recover() }()
			c.do(ctx, p, time.Hour, func() (Started, error) { panic("boom") })
		}()
		if s, replayed, _ := c.do(ctx, p, time.Hour, start("p1")); replayed || s.RunID != "p1" {
			t.Fatalf("after panic: %+v replayed=%v", s, replayed)
		}
	})
}

func TestDedupeConcurrentSameBody(t *testing.T) {
	c := newDedupeCache(10, time.Now)
	key := bodyKey("t", []byte("same"))
	release := make(chan struct{})
	var mu sync.Mutex
	starts := 0
	var wg sync.WaitGroup
	runs := make([]string, 16)
	for i := range runs {
		wg.Go(func() {
			s, _, err := c.do(context.Background(), key, time.Hour, func() (Started, error) {
				<-release
				mu.Lock()
				defer mu.Unlock()
				starts++
				return Started{RunID: fmt.Sprint("run-", starts)}, nil
			})
			if err != nil {
				t.Error(err)
			}
			runs[i] = s.RunID
		})
	}
	close(release)
	wg.Wait()
	if starts != 1 {
		t.Fatalf("%d starts, want 1", starts)
	}
	for _, r := range runs {
		if r != "run-1" {
			t.Fatalf("runs %v, want all run-1", runs)
		}
	}
}

func TestDedupeWaiterGivesUp(t *testing.T) {
	c := newDedupeCache(10, time.Now)
	key := bodyKey("t", []byte("slow"))
	release := make(chan struct{})
	started := make(chan struct{})
	go c.do(context.Background(), key, time.Hour, func() (Started, error) {
		close(started)
		<-release
		return Started{RunID: "r"}, nil
	})
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := c.do(ctx, key, time.Hour, func() (Started, error) { t.Fatal("second start while the first is in flight"); return Started{}, nil })
	if status(err) != 503 {
		t.Fatalf("waiter whose sender left: %v (status %d), want 503", err, status(err))
	}
	close(release)
}

func TestDefaultDedupeWindow(t *testing.T) {
	cases := map[string]time.Duration{
		"github": DefaultDedupeWindow, "shopify": DefaultDedupeWindow, "woocommerce": DefaultDedupeWindow,
		"bearer": DefaultDedupeWindow, "basic": DefaultDedupeWindow, "hmac": DefaultDedupeWindow,
		"standard": 0, "stripe": 0, "slack": 0, "hubspot": 0, "none": 0,
	}
	for scheme, want := range cases {
		if got := defaultDedupeWindow(verify.Config{Scheme: scheme}); got != want {
			t.Errorf("%s: %s, want %s", scheme, got, want)
		}
	}
	if got := defaultDedupeWindow(verify.Config{Scheme: "hmac", TimestampHeader: "X-Ts"}); got != 0 {
		t.Errorf("hmac with timestamp_header: %s, want 0", got)
	}
}
