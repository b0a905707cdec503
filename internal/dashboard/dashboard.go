package dashboard

import (
	"context"
	"embed"
	"encoding/json"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"

	"github.com/hookflow/hookflow/internal/telemetry"
)

// Temporal is what the dashboard asks of Temporal; a client.Client has it.
type Temporal interface {
	ListWorkflow(ctx context.Context, req *workflowservice.ListWorkflowExecutionsRequest) (*workflowservice.ListWorkflowExecutionsResponse, error)
	DescribeWorkflowExecution(ctx context.Context, workflowID, runID string) (*workflowservice.DescribeWorkflowExecutionResponse, error)
	GetWorkflowHistory(ctx context.Context, workflowID, runID string, isLongPoll bool, filterType enumspb.HistoryEventFilterType) client.HistoryEventIterator
	QueryWorkflow(ctx context.Context, workflowID, runID, queryType string, args ...any) (converter.EncodedValue, error)
}

// Replayer re-runs a failed run as `hookflow replay WORKFLOW_ID` does and
// says what it did; its error says why it did not.
type Replayer func(ctx context.Context, workflowID string) (message string, err error)

// Roles of the process serving the dashboard: which sections it can fill.
const (
	RoleDev    = "dev"    // webhooks and outbound calls in one process
	RoleServe  = "serve"  // webhooks only: workers make the calls
	RoleWorker = "worker" // outbound calls only
)

// Options are the dashboard's dependencies.
type Options struct {
	Role      string
	History   *telemetry.History
	Temporal  Temporal
	Namespace string
	// UIBase is the Temporal Web UI's address, for links; empty: no links.
	UIBase string
	// Replay is the replay action; nil hides it.
	Replay Replayer
	// Failures reads failure messages from history (through the project's
	// codec when it encrypts them); nil: Temporal's default.
	Failures converter.FailureConverter
	Logger   *slog.Logger
	// Refresh is how often the page polls; 5s when zero.
	Refresh time.Duration
}

// Project is what the dashboard needs of the loaded project.
type Project struct {
	Triggers     []string
	Integrations []Integration
	// SearchAttributes are the project's own (name → type, as in
	// hookflow.yaml), which the search box looks a business key up in.
	SearchAttributes map[string]string
	// AdminToken opens the dashboard to requests from other hosts; empty
	// keeps it to this machine.
	AdminToken string
}

// Integration is one configured integration.
type Integration struct {
	Name string
	// Checked says the integration has a health check, and so a circuit.
	Checked bool
}

// Handler serves the dashboard under /dashboard/.
type Handler struct {
	o       Options
	project atomic.Pointer[Project]
	started time.Time
	health  *healthLog
	failed  *failedRuns
}

//go:embed assets
var assets embed.FS

// New returns the dashboard of project p.
func New(o Options, p Project) *Handler {
	if o.Refresh <= 0 {
		o.Refresh = 5 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Failures == nil {
		o.Failures = temporal.GetDefaultFailureConverter()
	}
	h := &Handler{o: o, started: time.Now(), health: newHealthLog(o.Temporal, window(o.History)), failed: newFailedRuns(o.Temporal, o.Failures, o.Namespace, o.UIBase)}
	h.SetProject(p)
	return h
}

// window is how far back the charts reach.
func window(h *telemetry.History) time.Duration {
	if h == nil {
		return time.Hour
	}
	return time.Duration(h.Points()) * h.Step()
}

// SetProject swaps in a reloaded project.
func (h *Handler) SetProject(p Project) { h.project.Store(&p) }

// Run records the metrics history and the integrations' health every step
// (health at least every 15s, so short outages show) until ctx ends.
func (h *Handler) Run(ctx context.Context) {
	if h.o.History != nil {
		go h.o.History.Run(ctx)
	}
	every := healthEvery
	if h.o.History != nil {
		every = min(every, h.o.History.Step())
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		h.health.observe(ctx, time.Now())
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/dashboard")
	switch {
	case path == "":
		http.Redirect(w, r, "/dashboard/", http.StatusMovedPermanently)
	case path == "/" || strings.HasPrefix(path, "/assets/"):
		h.static(w, r, path)
	case path == "/api/overview" && r.Method == http.MethodGet:
		h.api(w, r, h.overview)
	case path == "/api/search" && r.Method == http.MethodGet:
		h.api(w, r, h.search)
	case path == "/api/replay" && r.Method == http.MethodPost:
		h.api(w, r, h.replay)
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such dashboard page; open /dashboard/"})
	}
}

// static serves the page and its assets to anyone: they hold no data.
func (h *Handler) static(w http.ResponseWriter, r *http.Request, path string) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "use GET"})
		return
	}
	name := "assets/index.html"
	if path != "/" {
		name = "assets/" + strings.TrimPrefix(path, "/assets/")
	}
	data, err := fs.ReadFile(assets, name)
	if err != nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such asset"})
		return
	}
	ct := map[string]string{".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml"}
	for ext, t := range ct {
		if strings.HasSuffix(name, ext) {
			w.Header().Set("Content-Type", t)
		}
	}
	securityHeaders(w)
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(data)
}

// api answers a data request that passed the access check.
func (h *Handler) api(w http.ResponseWriter, r *http.Request, serve func(http.ResponseWriter, *http.Request)) {
	if status, msg := h.access(r); status != 0 {
		if status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="hookflow dashboard"`)
		}
		writeJSON(w, status, map[string]string{"error": msg})
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	serve(w, r)
}

func securityHeaders(w http.ResponseWriter) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	securityHeaders(w)
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}
