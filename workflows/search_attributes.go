package workflows

import (
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
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
