package main

import (
	"os"
	"strings"
	"syscall"
)

// keepSysmonAwake starts the process again in its place (same PID, same
// arguments, open files and terminal) with sysmonAwake in GODEBUG, which
// the runtime reads only at start (sysmon.go). It returns only when there
// is nothing to do, or the exec failed: then the process goes on as it is.
func keepSysmonAwake() error {
	godebug, changed := godebugWithSysmonAwake(os.Getenv("GODEBUG"))
	if !changed {
		return nil
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	env := []string{"GODEBUG=" + godebug}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GODEBUG=") {
			env = append(env, kv)
		}
	}
	return syscall.Exec(exe, os.Args, env)
}
