// Package rules owns Hookflow's rule language: it loads rule files (*.yaml in
// a folder, skipping *_test.yaml rule tests) with positions, compiles every
// `when` condition and every ${{ }} template once with expr against a typed
// environment, decides which rules an event matches (the Plan), and renders a
// step's `with` templates against the event and earlier step outputs.
//
// Everything a rule author can get wrong is reported at load time, all at
// once, as file:line:col diagnostics, so `hookflow check` can print them
// before anything is deployed. An Engine is immutable after loading and safe
// for concurrent use.
package rules
