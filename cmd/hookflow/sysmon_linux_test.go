//go:build !slim

package main

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDevKeepsSysmonAwake runs `hookflow dev` as a process: it starts
// again in its own place with sysmonAwake added to the GODEBUG it was
// given (same PID, serving, stopped by SIGTERM), and leaves a GODEBUG that
// sets schedtrace as it is.
func TestDevKeepsSysmonAwake(t *testing.T) {
	dir := t.TempDir()
	if err := writeProject(dir, idsProject, idsRules); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ given, want string }{
		{"madvdontneed=1", "madvdontneed=1," + sysmonAwake},
		{"schedtrace=0", "schedtrace=0"},
	} {
		t.Run(c.given, func(t *testing.T) {
			_, dev := startDevProcess(t, dir, map[string]string{"GODEBUG": c.given})
			environ, err := os.ReadFile("/proc/" + strconv.Itoa(dev.cmd.Process.Pid) + "/environ")
			if err != nil {
				t.Fatal(err)
			}
			var godebug []string
			for _, kv := range bytes.Split(environ, []byte{0}) {
				if v, ok := strings.CutPrefix(string(kv), "GODEBUG="); ok {
					godebug = append(godebug, v)
				}
			}
			if len(godebug) != 1 || godebug[0] != c.want {
				t.Errorf("the dev process (pid %d) runs with GODEBUG %q, want [%q]", dev.cmd.Process.Pid, godebug, c.want)
			}
			if err := dev.cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			dev.exited(t, 30*time.Second)
			if strings.Contains(dev.log.String(), sysmonRestartFailed) {
				t.Errorf("dev reported a failed restart:\n%s", dev.log.String())
			}
		})
	}
}
