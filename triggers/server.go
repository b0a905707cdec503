package triggers

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hookflow/hookflow/activities"
	"github.com/hookflow/hookflow/rules"
	"github.com/hookflow/hookflow/triggers/verify"
)

// Deps is what the server needs.
type Deps struct {
	Triggers *Set
	Starter  Starter
	Logger   *slog.Logger
	// Ready reports whether Temporal is reachable and a worker polls; nil means always ready.
	Ready func(ctx context.Context) error
	// UIBase is the Temporal Web UI's base URL ("http://127.0.0.1:8233"); empty omits run links.
	UIBase    string
	Namespace string
	// Now is the clock for signature tolerance and received_at; nil means time.Now.
	Now func() time.Time
	// Metrics observes what the door does; nil records nothing.
	Metrics Observer
	// Planner matches each accepted event against the rules at the door, so
	// its run starts with its plan and search attributes and matches
	// nothing itself; nil leaves matching to the run.
	Planner Planner
	// ListTriggers makes the 404 for an unknown trigger list the configured
	// ones (hookflow dev). Off, the answer tells a stranger nothing more.
	ListTriggers bool
	// Ledger records planned events no rule matched instead of starting a
	// run for them; nil starts a run for every event.
	Ledger Ledger
}

// Planner matches an event against the current rules (activities.Activities).
type Planner interface {
	PlanFor(in rules.Input) (activities.Plan, []string)
}

// Observer takes the front door's measurements.
type Observer interface {
	WebhookReceived(trigger string, status int)
	VerificationFailed(trigger, scheme string)
	RunStarted(trigger string, duplicate bool)
}

// Server is the webhook HTTP server.
type Server struct {
	http.Handler
	deps    Deps
	serving atomic.Pointer[serving]
	dedupe  *dedupeCache // body hashes, for triggers with a dedupe_window
	// startLog says once why a misconfigured cluster refuses every start.
	startLog startLog
	// failures bounds unverified traffic per source address (ratelimit.go).
	failures *failures
}

// serving is the trigger set in force and its rate limiters, swapped whole on reload.
type serving struct {
	set      *Set
	limiters limiters // per rate-limited trigger
}

func (s *Server) current() *serving { return s.serving.Load() }

// Triggers is the trigger set in force (it changes on reload).
func (s *Server) Triggers() *Set { return s.current().set }

// SetTriggers replaces the triggers for requests from now on (hot reload).
// A trigger whose rate limit is unchanged keeps its bucket.
func (s *Server) SetTriggers(set *Set) {
	old := s.current()
	next := &serving{set: set, limiters: newLimiters(set)}
	if old != nil {
		for name := range next.limiters {
			ot, _ := old.set.Get(name)
			nt, _ := set.Get(name)
			if prev, ok := old.limiters[name]; ok && *ot.RateLimit == *nt.RateLimit {
				next.limiters[name] = prev
			}
		}
	}
	s.serving.Store(next)
	for _, name := range set.Unverified() {
		s.deps.Logger.Warn("trigger accepts unsigned requests (verify.scheme none): anyone who can reach /hooks/"+name+" can start workflows; restrict it with allow_ips or choose a signing scheme", "trigger", name)
	}
}

// NewServer returns the webhook server.
func NewServer(deps Deps) *Server {
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if deps.Namespace == "" {
		deps.Namespace = "default"
	}
	if deps.Metrics == nil {
		deps.Metrics = nopObserver{}
	}
	s := &Server{deps: deps, dedupe: newDedupeCache(dedupeCapacity, deps.Now), failures: newFailures()}
	s.SetTriggers(deps.Triggers)
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(gin.Recovery())
	s.routes(r)
	s.Handler = r
	return s
}

type nopObserver struct{}

func (nopObserver) WebhookReceived(string, int)       {}
func (nopObserver) VerificationFailed(string, string) {}
func (nopObserver) RunStarted(string, bool)           {}

// observeRejection counts a rejected request. Names of unknown triggers are
// not used as labels: anyone could mint unbounded label values.
func (s *Server) observeRejection(name string, err error) {
	t, known := s.current().set.Get(name)
	if !known {
		name = "unknown"
	}
	s.deps.Metrics.WebhookReceived(name, status(err))
	var ve *verify.Error
	if known && errors.As(err, &ve) {
		s.deps.Metrics.VerificationFailed(name, t.Verify.Scheme)
	}
}

// RunURL links a run in the Web UI, or "" without a UI.
func RunURL(uiBase, namespace, workflowID, runID string) string {
	if uiBase == "" {
		return ""
	}
	return uiBase + "/namespaces/" + url.PathEscape(namespace) + "/workflows/" + url.PathEscape(workflowID) + "/" + url.PathEscape(runID) + "/history"
}
