//go:build !unix

package procs

import "time"

// processCPU cannot read the process's CPU time here: the Governor then
// leaves GOMAXPROCS alone.
func processCPU() (time.Duration, bool) { return 0, false }
