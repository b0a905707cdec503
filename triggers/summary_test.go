package triggers

import (
	"testing"

	"github.com/hookflow/hookflow/activities"
	"github.com/hookflow/hookflow/rules"
	"github.com/hookflow/hookflow/workflows"
)

// TestStartSummary: the Web UI's list line of a run names its rules, and a
// run no rule wanted says so, so it stands out.
func TestStartSummary(t *testing.T) {
	ev := rules.Input{Event: rules.Event{Trigger: "shop", Type: "orders/paid"}}
	planned := func(names ...string) *activities.Plan {
		p := &activities.Plan{}
		for _, n := range names {
			p.Rules = append(p.Rules, rules.PlannedRule{Name: n})
		}
		return p
	}
	for _, tc := range []struct {
		plan *activities.Plan
		want string
	}{
		{nil, "shop · orders/paid"},
		{planned(), "shop · orders/paid · no rule matched"},
		{planned("vip", "crm"), "shop · orders/paid · vip, crm"},
	} {
		if got := startSummary(workflows.Input{Event: ev, Plan: tc.plan}); got != tc.want {
			t.Errorf("summary %q, want %q", got, tc.want)
		}
	}
}
