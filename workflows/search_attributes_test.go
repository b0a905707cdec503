package workflows

import (
	"strings"
	"testing"

	"go.temporal.io/sdk/temporal"

	"github.com/hookflow/hookflow/activities"
)

// TestPlanAttributes: values keep their exact type (an int above 2^53), and
// one that does not fit its type or Temporal's size limit is left out with
// a problem instead of making the server refuse the start.
func TestPlanAttributes(t *testing.T) {
	plan := activities.Plan{Attributes: []activities.AttributeValue{
		{Name: "OrderId", Type: "int", Text: "820982911946154508"},
		{Name: "Note", Type: "keyword", Text: strings.Repeat("x", 3000)},
		{Name: "Count", Type: "int", Text: "many"},
		{Name: "Tags", Type: "keyword_list", List: []string{"a", "b"}},
	}}
	updates, problems := PlanAttributes(plan)
	if len(updates) != 4 { // HookRules, HookRulesVersion, OrderId, Tags
		t.Fatalf("%d updates, want 4", len(updates))
	}
	sa := temporal.NewSearchAttributes(updates...)
	if v, ok := sa.GetInt64(temporal.NewSearchAttributeKeyInt64("OrderId")); !ok || v != 820982911946154508 {
		t.Errorf("OrderId = %d, %v", v, ok)
	}
	if len(problems) != 2 || !strings.HasPrefix(problems[0], "Note: the value is 3000 bytes") || !strings.HasPrefix(problems[1], "Count: want an integer") {
		t.Fatalf("problems %q", problems)
	}
}
