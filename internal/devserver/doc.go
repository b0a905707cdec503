// Package devserver runs an embedded Temporal server (SQLite persistence) and the
// Temporal Web UI inside the hookflow process, for `hookflow dev` and end-to-end tests.
//
// It links go.temporal.io/server, which costs minutes of cold build and ~200 MB of
// binary: only cmd/hookflow may import it.
package devserver
