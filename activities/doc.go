// Package activities holds hookflow's side effects, kept thin: MatchRules asks
// the rules engine for the plan, CallStep renders one step and calls its
// integration. Credentials are resolved by integration name at call time, so
// no secret ever enters workflow history.
package activities
