package workflows

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hookflow/hookflow/activities"
)

// Search attributes every run carries. Their names are public API: operators
// query them in the Web UI.
var (
	AttrTrigger      = temporal.NewSearchAttributeKeyKeyword("HookTrigger")
	AttrEventType    = temporal.NewSearchAttributeKeyKeyword("HookEventType")
	AttrEventID      = temporal.NewSearchAttributeKeyKeyword("HookEventId")
	AttrRules        = temporal.NewSearchAttributeKeyKeywordList("HookRules")
	AttrStatus       = temporal.NewSearchAttributeKeyKeyword("HookStatus")
	AttrRulesVersion = temporal.NewSearchAttributeKeyKeyword("HookRulesVersion")
	AttrFailedSteps  = temporal.NewSearchAttributeKeyKeywordList("HookFailedSteps")
	AttrCorrelation  = temporal.NewSearchAttributeKeyKeyword("HookCorrelationKey")
)

// Values of HookStatus.
const (
	StatusRunning   = "running"
	StatusNoMatch   = "no-match"
	StatusCompleted = "completed"
	StatusFailed    = "failed"
	StatusCanceled  = "canceled"
)

// SearchAttributeTypes is what a namespace must have registered for hookflow runs.
func SearchAttributeTypes() map[string]enumspb.IndexedValueType {
	return map[string]enumspb.IndexedValueType{
		AttrTrigger.GetName():      enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		AttrEventType.GetName():    enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		AttrEventID.GetName():      enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		AttrRules.GetName():        enumspb.INDEXED_VALUE_TYPE_KEYWORD_LIST,
		AttrStatus.GetName():       enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		AttrRulesVersion.GetName(): enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		AttrFailedSteps.GetName():  enumspb.INDEXED_VALUE_TYPE_KEYWORD_LIST,
		AttrCorrelation.GetName():  enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	}
}

// PlanAttributes are the search attributes a plan sets: the rules it runs,
// their version, and the project's own attributes. The front door sets them
// in the start request; a run that matched itself upserts them. problems
// name the project attributes whose value does not fit their type.
func PlanAttributes(plan activities.Plan) (updates []temporal.SearchAttributeUpdate, problems []string) {
	names := make([]string, len(plan.Rules))
	for i, r := range plan.Rules {
		names[i] = r.Name
	}
	updates = append(updates, AttrRules.ValueSet(names), AttrRulesVersion.ValueSet(plan.Version))
	for _, a := range plan.Attributes {
		if n := len(a.Text) + len(strings.Join(a.List, "")); n > MaxAttributeValue {
			problems = append(problems, fmt.Sprintf("%s: the value is %d bytes; Temporal keeps at most %d per search attribute", a.Name, n, MaxAttributeValue))
			continue
		}
		u, err := attributeUpdate(a)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", a.Name, err))
			continue
		}
		updates = append(updates, u)
	}
	return updates, problems
}

// MaxAttributeValue is Temporal's default limit on one search attribute's
// value (frontend.searchAttributesSizeOfValueLimit), in bytes; a larger one
// would make the server refuse the whole start.
const MaxAttributeValue = 2048

// attributeUpdate parses an attribute's exact text by its declared type.
func attributeUpdate(a activities.AttributeValue) (temporal.SearchAttributeUpdate, error) {
	switch a.Type {
	case "keyword":
		return temporal.NewSearchAttributeKeyKeyword(a.Name).ValueSet(a.Text), nil
	case "text":
		return temporal.NewSearchAttributeKeyString(a.Name).ValueSet(a.Text), nil
	case "keyword_list":
		list := a.List
		if list == nil && a.Text != "" {
			list = []string{a.Text}
		}
		return temporal.NewSearchAttributeKeyKeywordList(a.Name).ValueSet(list), nil
	case "int":
		n, err := strconv.ParseInt(a.Text, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("want an integer, got %q", a.Text)
		}
		return temporal.NewSearchAttributeKeyInt64(a.Name).ValueSet(n), nil
	case "double":
		f, err := strconv.ParseFloat(a.Text, 64)
		if err != nil {
			return nil, fmt.Errorf("want a number, got %q", a.Text)
		}
		return temporal.NewSearchAttributeKeyFloat64(a.Name).ValueSet(f), nil
	case "bool":
		b, err := strconv.ParseBool(a.Text)
		if err != nil {
			return nil, fmt.Errorf("want true or false, got %q", a.Text)
		}
		return temporal.NewSearchAttributeKeyBool(a.Name).ValueSet(b), nil
	case "datetime":
		t, err := time.Parse(time.RFC3339Nano, a.Text)
		if err != nil {
			return nil, fmt.Errorf("want an RFC 3339 time, got %q", a.Text)
		}
		return temporal.NewSearchAttributeKeyTime(a.Name).ValueSet(t), nil
	default:
		return nil, fmt.Errorf("unknown type %q", a.Type)
	}
}

// MetricRunsFinished counts finished runs by status (the SDK's metrics
// handler is replay-safe: a replayed run is not counted twice).
const MetricRunsFinished = "hookflow_runs_finished_total"

// setStatus records a run's final status in HookStatus and in metrics.
func setStatus(ctx workflow.Context, status string, more ...temporal.SearchAttributeUpdate) {
	if err := workflow.UpsertTypedSearchAttributes(ctx, append(more, AttrStatus.ValueSet(status))...); err != nil {
		workflow.GetLogger(ctx).Warn("set HookStatus", "error", err)
	}
	countFinished(ctx, status)
}

func countFinished(ctx workflow.Context, status string) {
	workflow.GetMetricsHandler(ctx).WithTags(map[string]string{"status": status}).Counter(MetricRunsFinished).Inc(1)
}
