package triggers

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"
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
}

// Server is the webhook HTTP server.
type Server struct {
	deps     Deps
	limiters limiters     // per rate-limited trigger
	dedupe   *dedupeCache // body hashes, for triggers with a dedupe_window
}

// NewServer returns the webhook server's handler.
func NewServer(deps Deps) http.Handler {
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if deps.Namespace == "" {
		deps.Namespace = "default"
	}
	s := &Server{deps: deps, limiters: newLimiters(deps.Triggers), dedupe: newDedupeCache(dedupeCapacity, deps.Now)}
	for _, name := range deps.Triggers.Unverified() {
		deps.Logger.Warn("trigger accepts unsigned requests (verify.scheme none): anyone who can reach /hooks/"+name+" can start workflows; restrict it with allow_ips or choose a signing scheme", "trigger", name)
	}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(gin.Recovery())
	s.routes(r)
	return r
}

// RunURL links a run in the Web UI, or "" without a UI.
func RunURL(uiBase, namespace, workflowID, runID string) string {
	if uiBase == "" {
		return ""
	}
	return uiBase + "/namespaces/" + url.PathEscape(namespace) + "/workflows/" + url.PathEscape(workflowID) + "/" + url.PathEscape(runID) + "/history"
}
