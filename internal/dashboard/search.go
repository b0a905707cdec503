package dashboard

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/converter"

	"github.com/hookflow/hookflow/triggers"
	"github.com/hookflow/hookflow/workflows"
)

// searchShown is how many matching runs the search lists.
const searchShown = 20

type searchView struct {
	Query    string      `json:"query"`
	QueryURL string      `json:"query_url,omitempty"`
	Runs     []searchRun `json:"runs"`
}

type searchRun struct {
	WorkflowID string    `json:"workflow_id"`
	RunID      string    `json:"run_id"`
	Status     string    `json:"status"`
	HookStatus string    `json:"hook_status,omitempty"`
	EventType  string    `json:"event_type,omitempty"`
	Started    time.Time `json:"started"`
	URL        string    `json:"url,omitempty"`
}

// searchable: the attribute types a typed key can be compared with by =.
func searchable(typ string) bool {
	switch typ {
	case "keyword", "keyword_list", "int", "double":
		return true
	}
	return false
}

// searchQuery finds runs whose workflow id, event id or one of the project's
// search attributes is key. Quotes and backslashes are refused rather than
// escaped: no id or key needs them, and the query stays one literal.
func searchQuery(key string, attrs map[string]string) (string, error) {
	key = strings.TrimSpace(key)
	switch {
	case key == "":
		return "", errors.New("type an event id, a workflow id or a business key such as an order id")
	case len(key) > 256:
		return "", errors.New("the search is longer than 256 characters; paste one id or key")
	case strings.ContainsAny(key, `"'\`) || strings.ContainsFunc(key, unicode.IsControl):
		return "", errors.New("search for one id or key, without quotes or backslashes")
	}
	lit := `"` + key + `"`
	or := []string{"WorkflowId = " + lit, workflows.AttrEventID.GetName() + " = " + lit}
	for _, name := range slices.Sorted(maps.Keys(attrs)) {
		switch attrs[name] {
		case "keyword", "keyword_list":
			or = append(or, name+" = "+lit)
		case "int":
			if n, err := strconv.ParseInt(key, 10, 64); err == nil {
				or = append(or, fmt.Sprintf("%s = %d", name, n))
			}
		case "double":
			if f, err := strconv.ParseFloat(key, 64); err == nil {
				or = append(or, name+" = "+strconv.FormatFloat(f, 'g', -1, 64))
			}
		}
	}
	return runTypes() + " AND (" + strings.Join(or, " OR ") + ")", nil
}

func (h *Handler) search(w http.ResponseWriter, r *http.Request) {
	q, err := searchQuery(r.URL.Query().Get("q"), h.project.Load().SearchAttributes)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	v := searchView{Query: q, QueryURL: listURL(h.o.UIBase, h.o.Namespace, q), Runs: []searchRun{}}
	if h.o.Temporal == nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "no Temporal client"})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	resp, err := h.o.Temporal.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Namespace: h.o.Namespace, Query: q, PageSize: searchShown})
	if err != nil {
		writeJSON(w, http.StatusBadGateway, map[string]string{"error": "Temporal did not answer the search: " + err.Error(), "query": q})
		return
	}
	dc := converter.GetDefaultDataConverter()
	for _, ex := range resp.GetExecutions() {
		wfID, runID := ex.GetExecution().GetWorkflowId(), ex.GetExecution().GetRunId()
		run := searchRun{WorkflowID: wfID, RunID: runID, Status: statusWord(ex.GetStatus()), Started: ex.GetStartTime().AsTime(),
			URL: triggers.RunURL(h.o.UIBase, h.o.Namespace, wfID, runID)}
		sa := ex.GetSearchAttributes().GetIndexedFields()
		_ = dc.FromPayload(sa[workflows.AttrStatus.GetName()], &run.HookStatus)
		_ = dc.FromPayload(sa[workflows.AttrEventType.GetName()], &run.EventType)
		v.Runs = append(v.Runs, run)
		if len(v.Runs) == searchShown {
			break
		}
	}
	writeJSON(w, http.StatusOK, v)
}
