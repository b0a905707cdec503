package legacy

import "go.temporal.io/sdk/temporal"

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
	StatusNoMatch   = "no-match"
	StatusCompleted = "completed"
	StatusFailed    = "failed"
)
