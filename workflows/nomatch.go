package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"
)

// No-match ledger names: public API. An event no rule wants needs no run:
// the front door records it, in batches, in a ledger per trigger and hour,
// which is how an operator still finds "what happened to event X".
const (
	NoMatchWorkflowName = "NoMatchLedger"
	NoMatchSignal       = "hookflow.nomatch"
	NoMatchFindQuery    = "hookflow.find"
)

// NoMatchEntry is one event no rule matched.
type NoMatchEntry struct {
	EventID      string    `json:"event_id"`
	Type         string    `json:"type"`
	ReceivedAt   time.Time `json:"received_at"`
	RulesVersion string    `json:"rules_version"`
}

// NoMatchInput starts a ledger: its trigger and hour (UTC), and how many
// entries its earlier runs (before continue-as-new) hold.
type NoMatchInput struct {
	Trigger string    `json:"trigger"`
	Hour    time.Time `json:"hour"`
	Before  int       `json:"before,omitempty"`
}

// NoMatchResult is a closed ledger's tally.
type NoMatchResult struct {
	Entries int `json:"entries"`
}

// NoMatchLedgerID is the ledger of trigger's events received in at's hour:
// nomatch/<trigger>/<2006-01-02T15>.
func NoMatchLedgerID(trigger string, at time.Time) string {
	return "nomatch/" + trigger + "/" + at.UTC().Format("2006-01-02T15")
}

const (
	// ledgerGrace keeps a ledger open past its hour for batches still in flight.
	ledgerGrace = 5 * time.Minute
	// maxLedgerEntries bounds one ledger run's memory and history; it then
	// continues as new, and earlier runs keep answering for their entries.
	maxLedgerEntries = 20000
)

// NoMatchLedger holds the events of one trigger and hour that no rule
// matched, received in batches (NoMatchSignal), and answers NoMatchFindQuery
// for an event id. It closes after its hour.
//
// A provider that retries an event (it did not see the 202) sends its id
// again: the ledger keeps the first entry and counts the event once. Runs
// started before that (no "nomatch-once" marker) keep counting every entry,
// as they did; a retry that reaches the ledger's next run (after continue-
// as-new) or another hour's ledger is an entry there too.
func NoMatchLedger(ctx workflow.Context, in NoMatchInput) (NoMatchResult, error) {
	once := workflow.GetVersion(ctx, "nomatch-once", workflow.DefaultVersion, 1) == 1
	var entries []NoMatchEntry
	first := map[string]int{} // event id → its first entry
	if err := workflow.SetQueryHandler(ctx, NoMatchFindQuery, func(eventID string) (*NoMatchEntry, error) {
		if i, ok := first[eventID]; ok {
			return &entries[i], nil
		}
		return nil, nil
	}); err != nil {
		return NoMatchResult{}, err
	}
	batches := workflow.GetSignalChannel(ctx, NoMatchSignal)
	received := 0 // entries signalled to this run, repeats included: what its history holds
	receive := func(c workflow.ReceiveChannel, _ bool) {
		var b []NoMatchEntry
		c.Receive(ctx, &b)
		received += len(b)
		for _, e := range b {
			_, seen := first[e.EventID]
			if seen && once {
				continue
			}
			if !seen {
				first[e.EventID] = len(entries)
			}
			entries = append(entries, e)
		}
	}
	closed := false
	timer := workflow.NewTimerWithOptions(ctx, max(in.Hour.Add(time.Hour+ledgerGrace).Sub(workflow.Now(ctx)), time.Millisecond),
		workflow.TimerOptions{Summary: "close the ledger after its hour"})
	for !closed {
		sel := workflow.NewSelector(ctx)
		sel.AddReceive(batches, receive)
		sel.AddFuture(timer, func(workflow.Future) { closed = true })
		sel.Select(ctx)
		if info := workflow.GetInfo(ctx); !closed && (received >= maxLedgerEntries || info.GetContinueAsNewSuggested()) {
			drain(ctx, batches, receive)
			next := in
			next.Before += len(entries)
			return NoMatchResult{Entries: next.Before}, workflow.NewContinueAsNewError(ctx, NoMatchWorkflowName, next)
		}
	}
	drain(ctx, batches, receive)
	return NoMatchResult{Entries: in.Before + len(entries)}, nil
}

// drain takes every batch already received, so none is left unhandled
// when the run closes or continues as new.
func drain(ctx workflow.Context, ch workflow.ReceiveChannel, receive func(workflow.ReceiveChannel, bool)) {
	for {
		sel := workflow.NewSelector(ctx)
		sel.AddReceive(ch, receive)
		if !sel.HasPending() {
			return
		}
		sel.Select(ctx)
	}
}
