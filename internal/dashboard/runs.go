package dashboard

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"

	"github.com/hookflow/hookflow/triggers"
	"github.com/hookflow/hookflow/workflows"
)

// failedShown is how many recent failed runs the page lists.
const failedShown = 12

// failedCacheFor lets several viewers share one round of visibility queries.
const failedCacheFor = 3 * time.Second

// failedView is the newest failed runs, from Temporal visibility: the same
// on every process of a cluster.
type failedView struct {
	Runs []failedRun `json:"runs"`
	// Query is the visibility query; QueryURL opens it in the Web UI.
	Query    string `json:"query"`
	QueryURL string `json:"query_url,omitempty"`
	Error    string `json:"error,omitempty"`
}

type failedRun struct {
	WorkflowID  string    `json:"workflow_id"`
	RunID       string    `json:"run_id"`
	Trigger     string    `json:"trigger,omitempty"`
	EventType   string    `json:"event_type,omitempty"`
	FailedSteps []string  `json:"failed_steps,omitempty"`
	Started     time.Time `json:"started"`
	Closed      time.Time `json:"closed"`
	Error       string    `json:"error"`
	URL         string    `json:"url,omitempty"`
	// Latest is the status of a later run under the same workflow id (a
	// replay), empty while this run is the latest.
	Latest    string `json:"latest,omitempty"`
	LatestURL string `json:"latest_url,omitempty"`
}

type failedRuns struct {
	t         Temporal
	fc        converter.FailureConverter
	namespace string
	uiBase    string

	mu      sync.Mutex
	at      time.Time
	last    failedView
	reasons map[string]string // run id → failure message; closed runs never change
}

func newFailedRuns(t Temporal, fc converter.FailureConverter, namespace, uiBase string) *failedRuns {
	return &failedRuns{t: t, fc: fc, namespace: namespace, uiBase: uiBase, reasons: map[string]string{}}
}

// failedQuery finds failed runs of events, of both run models.
func failedQuery() string {
	return runTypes() + ` AND ExecutionStatus = "Failed"`
}

func runTypes() string {
	quoted := make([]string, len(workflows.WorkflowNames))
	for i, n := range workflows.WorkflowNames {
		quoted[i] = strconv.Quote(n)
	}
	return "WorkflowType IN (" + strings.Join(quoted, ", ") + ")"
}

// listURL opens a visibility query in the Web UI's run list.
func listURL(uiBase, namespace, query string) string {
	if uiBase == "" {
		return ""
	}
	return uiBase + "/namespaces/" + url.PathEscape(namespace) + "/workflows?query=" + url.QueryEscape(query)
}

func (f *failedRuns) view(ctx context.Context) failedView {
	if f.t == nil {
		return failedView{Runs: []failedRun{}, Error: "no Temporal client"}
	}
	f.mu.Lock()
	defer f.mu.Unlock() // one round at a time; the others wait for its answer
	if time.Since(f.at) < failedCacheFor {
		return f.last
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	q := failedQuery()
	v := failedView{Runs: []failedRun{}, Query: q, QueryURL: listURL(f.uiBase, f.namespace, q)}
	resp, err := f.t.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Namespace: f.namespace, Query: q, PageSize: failedShown})
	if err != nil {
		v.Error = "Temporal did not list failed runs: " + err.Error()
		return v // not cached: the next poll asks again
	}
	latest := map[string]string{}
	for _, ex := range resp.GetExecutions() {
		if len(v.Runs) == failedShown {
			break
		}
		wfID, runID := ex.GetExecution().GetWorkflowId(), ex.GetExecution().GetRunId()
		run := failedRun{WorkflowID: wfID, RunID: runID, Started: ex.GetStartTime().AsTime(), Closed: ex.GetCloseTime().AsTime(),
			URL: triggers.RunURL(f.uiBase, f.namespace, wfID, runID)}
		sa := ex.GetSearchAttributes().GetIndexedFields()
		dc := converter.GetDefaultDataConverter()
		_ = dc.FromPayload(sa[workflows.AttrTrigger.GetName()], &run.Trigger)
		_ = dc.FromPayload(sa[workflows.AttrEventType.GetName()], &run.EventType)
		_ = dc.FromPayload(sa[workflows.AttrFailedSteps.GetName()], &run.FailedSteps)
		run.Error = f.reason(ctx, wfID, runID)
		if _, ok := latest[wfID]; !ok {
			latest[wfID] = ""
			if d, err := f.t.DescribeWorkflowExecution(ctx, wfID, ""); err == nil {
				info := d.GetWorkflowExecutionInfo()
				if id := info.GetExecution().GetRunId(); id != runID {
					latest[wfID] = statusWord(info.GetStatus()) + "\x00" + triggers.RunURL(f.uiBase, f.namespace, wfID, id)
				}
			}
		}
		if l := latest[wfID]; l != "" {
			run.Latest, run.LatestURL, _ = strings.Cut(l, "\x00")
		}
		v.Runs = append(v.Runs, run)
	}
	f.at, f.last = time.Now(), v
	return v
}

// forget drops the cached list, so a replay shows at the next poll.
func (f *failedRuns) forget() {
	f.mu.Lock()
	f.at = time.Time{}
	f.mu.Unlock()
}

// reason is the failure message of a failed run, from its close event.
func (f *failedRuns) reason(ctx context.Context, wfID, runID string) string {
	if r, ok := f.reasons[runID]; ok {
		return r
	}
	it := f.t.GetWorkflowHistory(ctx, wfID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT)
	msg := ""
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return "(could not read the run's failure: " + err.Error() + ")"
		}
		if a := ev.GetWorkflowExecutionFailedEventAttributes(); a != nil && a.GetFailure() != nil {
			msg = failureText(f.fc.FailureToError(a.GetFailure()))
		}
	}
	if len(f.reasons) > 1000 {
		clear(f.reasons) // bounded; the page shows a dozen at a time
	}
	f.reasons[runID] = msg
	return msg
}

// failureText is a failure's message and its causes', without the type
// and retry flags an ApplicationError's Error adds.
func failureText(err error) string {
	var parts []string
	for err != nil {
		msg := err.Error()
		if ae, ok := err.(*temporal.ApplicationError); ok {
			msg = ae.Message()
		}
		if len(parts) == 0 || !strings.Contains(parts[len(parts)-1], msg) {
			parts = append(parts, msg)
		}
		err = errors.Unwrap(err)
	}
	return strings.Join(parts, ": ")
}

func statusWord(s enumspb.WorkflowExecutionStatus) string {
	switch s {
	case enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING:
		return "running"
	case enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
		return "completed"
	case enumspb.WORKFLOW_EXECUTION_STATUS_FAILED:
		return "failed"
	case enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED:
		return "canceled"
	case enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED:
		return "terminated"
	case enumspb.WORKFLOW_EXECUTION_STATUS_TIMED_OUT:
		return "timed out"
	case enumspb.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW:
		return "continued as new"
	}
	return fmt.Sprint(s)
}
