package activities

import (
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/worker"
)

// Register registers every activity under its public name.
func (a *Activities) Register(r worker.ActivityRegistry) {
	for name, fn := range map[string]any{
		MatchRulesName:        a.MatchRules,
		CallStepName:          a.CallStep,
		EvaluateName:          a.Evaluate,
		PublishName:           a.PublishEvent,
		SubscribeName:         a.Subscribe,
		UnsubscribeName:       a.Unsubscribe,
		LoadEventName:         a.LoadEvent,
		CheckHealthName:       a.CheckHealth,
		NotifyHealthName:      a.NotifyHealth,
		RouteEventName:        a.RouteEvent,
		ProbeIntegrationsName: a.ProbeIntegrations,
	} {
		r.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name})
	}
}

// RegisterCalls registers only CallStep, for the worker of a rate-limited
// integration's own task queue.
func (a *Activities) RegisterCalls(r worker.ActivityRegistry) {
	r.RegisterActivityWithOptions(a.CallStep, activity.RegisterOptions{Name: CallStepName})
}
