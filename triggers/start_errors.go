package triggers

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"go.temporal.io/api/serviceerror"
	"google.golang.org/grpc/codes"
	grpcstatus "google.golang.org/grpc/status"
)

// Why a start failed decides what the sender is told: retry later (503:
// Temporal is unreachable or overloaded), stop (4xx: this event can never
// be started), or an operator must act (500: the cluster is not set up for
// hookflow; retrying will not help until then, so it is not a 503).

// misconfigured means the Temporal namespace is not ready for hookflow:
// missing, or without hookflow's search attributes, or refusing the
// client's credentials.
type misconfigured struct {
	msg   string
	cause error
}

func (e *misconfigured) Error() string { return e.msg }
func (e *misconfigured) Unwrap() error { return e.cause }

// classifyStart maps an error of StartWorkflowExecution to what the sender
// is told.
func classifyStart(namespace string, err error) error {
	var (
		nsNotFound *serviceerror.NamespaceNotFound
		invalid    *serviceerror.InvalidArgument
		denied     *serviceerror.PermissionDenied
	)
	switch {
	case errors.As(err, &nsNotFound):
		return &misconfigured{cause: err, msg: fmt.Sprintf("the Temporal namespace %q does not exist; an operator must create it and run `hookflow setup` against it. Nothing was started", namespace)}
	case errors.As(err, &invalid) && (strings.Contains(invalid.Message, "exceeds") || strings.Contains(invalid.Message, "too long")):
		return &requestError{status: http.StatusUnprocessableEntity, msg: "the event exceeds a limit of the workflow service (" + invalid.Message + "); nothing was started"}
	case errors.As(err, &invalid) && strings.Contains(strings.ToLower(invalid.Message), "search attribute"):
		// "search attribute X is not defined" (Elasticsearch), "has no
		// mapping defined for search attribute X" (SQL visibility).
		return &misconfigured{cause: err, msg: fmt.Sprintf("the Temporal namespace %q lacks hookflow's search attributes; an operator must run `hookflow setup` against it. Nothing was started", namespace)}
	case errors.As(err, &denied), grpcstatus.Code(err) == codes.Unauthenticated:
		return &misconfigured{cause: err, msg: fmt.Sprintf("Temporal refused hookflow's credentials for namespace %q; an operator must fix them (API key, client certificate) and run `hookflow setup`. Nothing was started", namespace)}
	case errors.As(err, &invalid):
		// A request hookflow built that Temporal refuses: retrying cannot help.
		return &misconfigured{cause: err, msg: "the workflow service refused the start (" + invalid.Message + "); see the server log. Nothing was started"}
	}
	return errUnavailable{cause: err}
}

// startLog logs why starts fail: a configuration problem once (it fails
// every request until an operator acts, and one line says it all), the
// rest per request.
type startLog struct {
	seen sync.Map // misconfigured message → struct{}
}

func (l *startLog) log(log *slog.Logger, eventID string, err error) {
	var mc *misconfigured
	var re *requestError
	switch {
	case errors.As(err, &mc):
		if _, dup := l.seen.LoadOrStore(mc.msg, struct{}{}); dup {
			log.Debug("start workflow: cluster not set up (logged once)", "event_id", eventID)
			return
		}
		log.Error("start workflow: the Temporal cluster is not set up for hookflow; every event is refused until it is", "event_id", eventID, "error", mc.cause, "fix", mc.msg)
	case errors.As(err, &re):
		log.Warn("start workflow: event refused", "event_id", eventID, "status", re.status, "error", err)
	default:
		log.Warn("start workflow: temporal unavailable or overloaded, answered 503", "event_id", eventID, "error", errors.Unwrap(err))
	}
}
