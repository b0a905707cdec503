package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/hookflow/hookflow/triggers"
	"github.com/hookflow/hookflow/workflows"
)

func runRuns(ctx context.Context, e env, args []string) error {
	fs := newFlags(e, "runs", "[flags]")
	tf := addTemporalFlags(fs, defaultTemporal)
	status := fs.String("status", "", "running, completed, failed, canceled or no-match")
	trigger := fs.String("trigger", "", "only runs of this trigger")
	rule := fs.String("rule", "", "only runs in which this rule matched")
	since := fs.Duration("since", 0, "only runs started within this long, e.g. 1h")
	query := fs.String("query", "", "extra visibility query, ANDed, e.g. 'HookEventType = \"orders/paid\"'")
	limit := fs.Int("limit", 50, "at most this many runs, newest first")
	eventID := fs.String("event-id", "", "what happened to this event: its run, or the no-match ledger that recorded it")
	uiBase := fs.String("ui-url", "http://127.0.0.1:8233", "Web UI base URL for links (empty: no links)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	extra := *query
	if *eventID != "" {
		extra = joinQuery(extra, fmt.Sprintf("%s = %q", workflows.AttrEventID.GetName(), *eventID))
	}
	q, err := runsQuery(*status, *trigger, *rule, *since, extra, time.Now())
	if err != nil {
		return err
	}
	c, err := dialOperator(e, tf)
	if err != nil {
		return err
	}
	defer c.Close()
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "WORKFLOW ID\tSTATUS\tEVENT TYPE\tRULES\tSTARTED\tLINK")
	var token []byte
	n := 0
	for n < *limit {
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Namespace: c.Namespace, Query: q, PageSize: int32(min(*limit-n, 100)), NextPageToken: token,
		})
		if err != nil {
			return fmt.Errorf("list runs (query %q): %w", q, err)
		}
		for _, ex := range resp.GetExecutions() {
			sa := ex.GetSearchAttributes().GetIndexedFields()
			var st, typ string
			var rs []string
			_ = converter.GetDefaultDataConverter().FromPayload(sa[workflows.AttrStatus.GetName()], &st)
			_ = converter.GetDefaultDataConverter().FromPayload(sa[workflows.AttrEventType.GetName()], &typ)
			_ = converter.GetDefaultDataConverter().FromPayload(sa[workflows.AttrRules.GetName()], &rs)
			wfID, runID := ex.GetExecution().GetWorkflowId(), ex.GetExecution().GetRunId()
			if st == workflows.StatusFailed {
				st += replayedAs(ctx, c, wfID, runID)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", wfID, orDash(st), orDash(typ), orDash(strings.Join(rs, ",")),
				ex.GetStartTime().AsTime().Local().Format(time.DateTime), triggers.RunURL(*uiBase, c.Namespace, wfID, runID))
			n++
		}
		token = resp.GetNextPageToken()
		if len(token) == 0 {
			break
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d run(s); query: %s\n", n, q)
	if *eventID != "" && n == 0 {
		return findNoMatch(ctx, e, c.Client, c.Namespace, *eventID, *trigger, *uiBase)
	}
	return nil
}

// findNoMatch looks for an event in the no-match ledgers (newest first):
// an event no rule wanted started no run, but its ledger recorded it.
func findNoMatch(ctx context.Context, e env, c client.Client, namespace, eventID, trigger, uiBase string) error {
	found := func(wfID, runID string) bool {
		v, err := c.QueryWorkflow(ctx, wfID, runID, workflows.NoMatchFindQuery, eventID)
		if err != nil {
			return false // a ledger closed past retention, or busy: look at the others
		}
		var entry *workflows.NoMatchEntry
		if v.Get(&entry) != nil || entry == nil {
			return false
		}
		fmt.Fprintf(e.stdout, "%s: no rule matched (rules version %s); received %s, type %q; recorded in %s %s\n",
			eventID, entry.RulesVersion, entry.ReceivedAt.Local().Format(time.DateTime), entry.Type, wfID, triggers.RunURL(uiBase, namespace, wfID, runID))
		return true
	}
	// The trigger's latest ledgers first, by id: Visibility may not list a
	// ledger started moments ago.
	if trigger != "" {
		for h := range 3 {
			if found(workflows.NoMatchLedgerID(trigger, time.Now().Add(-time.Duration(h)*time.Hour)), "") {
				return nil
			}
		}
	}
	q := fmt.Sprintf("WorkflowType = %q", workflows.NoMatchWorkflowName)
	if trigger != "" {
		q += fmt.Sprintf(" AND %s = %q", workflows.AttrTrigger.GetName(), trigger)
	}
	var token []byte
	for looked := 0; looked < maxLedgersSearched; {
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Namespace: namespace, Query: q, PageSize: 50, NextPageToken: token})
		if err != nil {
			return fmt.Errorf("list no-match ledgers: %w", err)
		}
		for _, ex := range resp.GetExecutions() {
			looked++
			if found(ex.GetExecution().GetWorkflowId(), ex.GetExecution().GetRunId()) {
				return nil
			}
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			break
		}
	}
	fmt.Fprintf(e.stdout, "%s: no run and no no-match record (wrong trigger, older than the namespace's retention, or never accepted)\n", eventID)
	return errReported
}

// maxLedgersSearched bounds findNoMatch: a week of hourly ledgers for a few triggers.
const maxLedgersSearched = 1000

func joinQuery(a, b string) string {
	if strings.TrimSpace(a) == "" {
		return b
	}
	return "(" + a + ") AND " + b
}

// replayedAs says how a failed run's replay went, when it was replayed: a
// later run under the same workflow id.
func replayedAs(ctx context.Context, c client.Client, wfID, runID string) string {
	d, err := c.DescribeWorkflowExecution(ctx, wfID, "")
	if err != nil || d.GetWorkflowExecutionInfo().GetExecution().GetRunId() == runID {
		return ""
	}
	return " → replayed: " + statusWord(d.GetWorkflowExecutionInfo().GetStatus())
}

// runsQuery builds the visibility query from the flags.
func runsQuery(status, trigger, rule string, since time.Duration, extra string, now time.Time) (string, error) {
	parts := []string{runTypesQuery()}
	if status != "" {
		switch status {
		case workflows.StatusRunning, workflows.StatusCompleted, workflows.StatusFailed, workflows.StatusNoMatch, workflows.StatusCanceled:
		default:
			return "", fmt.Errorf("--status %q: want running, completed, failed, canceled or no-match", status)
		}
		parts = append(parts, fmt.Sprintf("%s = %q", workflows.AttrStatus.GetName(), status))
	}
	if trigger != "" {
		parts = append(parts, fmt.Sprintf("%s = %q", workflows.AttrTrigger.GetName(), trigger))
	}
	if rule != "" {
		parts = append(parts, fmt.Sprintf("%s = %q", workflows.AttrRules.GetName(), rule))
	}
	if since > 0 {
		parts = append(parts, fmt.Sprintf("StartTime > %q", now.Add(-since).UTC().Format(time.RFC3339)))
	}
	if strings.TrimSpace(extra) != "" {
		parts = append(parts, "("+extra+")")
	}
	return strings.Join(parts, " AND "), nil
}

// runTypesQuery matches runs of events, of the current and the legacy run model.
func runTypesQuery() string {
	quoted := make([]string, len(workflows.WorkflowNames))
	for i, n := range workflows.WorkflowNames {
		quoted[i] = strconv.Quote(n)
	}
	return "WorkflowType IN (" + strings.Join(quoted, ", ") + ")"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
