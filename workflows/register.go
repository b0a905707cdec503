package workflows

import (
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/hookflow/hookflow/activities"
	"github.com/hookflow/hookflow/workflows/legacy"
)

// Register registers every hookflow workflow under its public name: the run
// of an event (and the legacy run, for runs started before it), the
// correlation mailbox, the health monitor and the no-match ledger.
func Register(r worker.WorkflowRegistry) {
	r.RegisterWorkflowWithOptions(HandleEvent, workflow.RegisterOptions{Name: WorkflowName})
	r.RegisterWorkflowWithOptions(legacy.HandleEvent, workflow.RegisterOptions{Name: LegacyWorkflowName})
	r.RegisterWorkflowWithOptions(Correlate, workflow.RegisterOptions{Name: activities.MailboxWorkflowName})
	r.RegisterWorkflowWithOptions(HealthMonitor, workflow.RegisterOptions{Name: HealthWorkflowName})
	r.RegisterWorkflowWithOptions(NoMatchLedger, workflow.RegisterOptions{Name: NoMatchWorkflowName})
}
