// Package workflows holds hookflow's deterministic orchestration:
//
//   - HandleEvent (registered as HandleEventV2) runs the rules one webhook
//     event matched: the plan comes from the front door (or a MatchRules
//     local activity), each call step is tried first in a CallStep local
//     activity and handed to a CallStep activity with the integration's full
//     retry schedule only when that attempt fails, steps run in needs order,
//     and on_failure or on_cancel steps run when the rule fails or the run is
//     cancelled.
//   - Correlate is a mailbox per correlating trigger and key: it holds recent
//     events and the runs waiting for them, so a correlated event reaches a
//     waiting run whatever the order of arrival.
//   - HealthMonitor probes the integrations' health checks and announces
//     changes.
//
// Runs started before this run model finish on package legacy's frozen code.
// Nothing here evaluates expr, reads the clock or iterates a map in an
// order that matters: expressions run in activities, and their results are
// recorded in history.
package workflows
