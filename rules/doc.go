// Package rules owns Hookflow's rule language: it loads rule files (*.yaml in
// a folder, skipping *_test.yaml rule tests) with positions, compiles every
// `when` condition and every ${{ }} template once with expr against a typed
// environment, decides which rules an event matches (the Plan), renders a
// step's `with` templates against the event and earlier step outputs, and
// evaluates a step's `if` (EvalBool) and a wait_for's `match` (EvalMatch, the
// only place `signal` exists). Steps call an integration, sleep, or wait for
// a signal; docs/rules.md is the language reference.
//
// Everything a rule author can get wrong is reported at load time, all at
// once, as file:line:col diagnostics, so `hookflow check` can print them
// before anything is deployed. An Engine is immutable after loading and safe
// for concurrent use.
package rules
