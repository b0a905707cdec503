// Package workflows holds HandleEvent, the deterministic orchestration of one
// webhook event: match rules (a recorded local activity), run each matched
// rule's steps as CallStep activities in needs order, run on_failure steps, and
// keep the run's search attributes current.
//
// Nothing here evaluates expr, reads the clock or iterates a map: rendering and
// matching happen in activities, and their results are recorded in history.
package workflows
