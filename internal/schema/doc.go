// Package schema is the JSON Schema of hookflow's files — hookflow.yaml, rule
// files and rule-test files — generated from the Go types in types.go, so
// editors running the YAML language server validate and complete them. The
// loaders stay the authority: a test checks that the fields here are the
// fields they accept, that every sample validates and that bad files fail.
package schema
