package admin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/converter"

	"github.com/hookflow/hookflow/activities"
	"github.com/hookflow/hookflow/workflows"
)

// Querier asks a run what it waits for; a Temporal client satisfies it.
type Querier interface {
	QueryWorkflow(ctx context.Context, workflowID, runID, queryType string, args ...any) (converter.EncodedValue, error)
}

// SignalError is a signal refused before it was sent, with the HTTP status
// the admin API answers.
type SignalError struct {
	Status int
	Msg    string
}

func (e *SignalError) Error() string { return e.Msg }

// CheckSignal refuses a signal the run would not act on: hookflow's own
// signal names, workflows that are not runs of events (the health monitor,
// correlation mailboxes), a run that has closed, and a name the run does
// not wait for right now (the message lists what it waits for). Operators
// can only resume what a rule's wait_for asks for; a signal can never
// choose a call. Runs started before runs answered the waiting query are
// let through.
func CheckSignal(ctx context.Context, q Querier, workflowID, name string) error {
	switch {
	case strings.HasPrefix(name, "hookflow."):
		return &SignalError{http.StatusBadRequest, fmt.Sprintf("signal %q: names starting with hookflow. are hookflow's own", name)}
	case workflowID == activities.HealthWorkflowID || strings.HasPrefix(workflowID, "corr/"):
		return &SignalError{http.StatusBadRequest, fmt.Sprintf("%s is not the run of an event: only runs waiting in a wait_for step take signals", workflowID)}
	}
	v, err := q.QueryWorkflow(ctx, workflowID, "", workflows.WaitingQuery)
	if err != nil {
		var nf *serviceerror.NotFound
		var bad *serviceerror.InvalidArgument
		switch {
		case errors.As(err, &nf):
			return &SignalError{http.StatusNotFound, "no run " + workflowID}
		case errors.As(err, &bad) && strings.Contains(err.Error(), "unknown queryType"):
			return nil // a run of the legacy run model: it cannot say
		case strings.Contains(err.Error(), "workflow execution already completed"), strings.Contains(err.Error(), "already completed"):
			return &SignalError{http.StatusConflict, workflowID + " has already finished: it waits for nothing"}
		}
		return fmt.Errorf("ask %s what it waits for: %w", workflowID, err)
	}
	var waiting []workflows.Waiting
	if err := v.Get(&waiting); err != nil {
		return fmt.Errorf("read what %s waits for: %w", workflowID, err)
	}
	var names []string
	for _, w := range waiting {
		if w.Signal == name {
			return nil
		}
		if w.Signal != "" {
			names = append(names, fmt.Sprintf("%s (rule %s, step %s)", w.Signal, w.Rule, w.Step))
		}
	}
	if len(names) == 0 {
		return &SignalError{http.StatusConflict, fmt.Sprintf("%s is not waiting for a signal right now, so %q would change nothing", workflowID, name)}
	}
	return &SignalError{http.StatusConflict, fmt.Sprintf("%s does not wait for signal %q; it waits for: %s", workflowID, name, strings.Join(names, ", "))}
}
