package triggers

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/hookflow/hookflow/integrations"
)

// RateLimit is a trigger's `rate_limit: 100/s` (also /m, /h) and `burst`.
type RateLimit struct {
	Spec  string  // as written, for messages: "100/s"
	PerS  float64 // events per second
	Burst int     // bucket size; default the per-second rate, at least 1
}

func parseRateLimit(s string) (*RateLimit, error) {
	perS, err := integrations.ParseRate(s)
	if err != nil {
		return nil, err
	}
	return &RateLimit{Spec: strings.TrimSpace(s), PerS: perS, Burst: max(1, int(math.Ceil(perS)))}, nil
}

func parseBurst(s string) (int, error) {
	b, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || b < 1 {
		return 0, fmt.Errorf("%q is not a burst size; write a whole number of requests, at least 1", s)
	}
	return b, nil
}

// limiters holds one token bucket per rate-limited trigger. The map is built
// once and only read afterwards; rate.Limiter is safe for concurrent use.
type limiters map[string]*rate.Limiter

func newLimiters(set *Set) limiters {
	out := limiters{}
	if set == nil {
		return out
	}
	for _, name := range set.Names() {
		t, _ := set.Get(name)
		if t.RateLimit != nil {
			out[name] = rate.NewLimiter(rate.Limit(t.RateLimit.PerS), t.RateLimit.Burst)
		}
	}
	return out
}

// take spends one token of t's bucket at now, or returns a *rateLimited
// error saying when a token will be free. Tokens are not spent on refusal.
func (l limiters) take(t *Trigger, now time.Time) error {
	lim, ok := l[t.Name]
	if !ok {
		return nil
	}
	r := lim.ReserveN(now, 1)
	if !r.OK() {
		return &rateLimited{trigger: t.Name, spec: t.RateLimit.Spec, retryAfter: time.Second}
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return &rateLimited{trigger: t.Name, spec: t.RateLimit.Spec, retryAfter: d}
	}
	return nil
}
