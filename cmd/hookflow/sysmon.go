package main

import "strings"

// The Go runtime's system monitor (sysmon) sleeps soundly while every P is
// idle, and the first system call after that wakes it into its shortest
// tick: 20 µs, for at least 50 ticks, before it slows down again (Go 1.26,
// runtime.sysmon; golang/go#18236). `hookflow dev` at a steady 40 events/s
// is idle between events, so each event set that off: 57 of the process's
// 110 voluntary context switches per event, and 1.2 ms of its 11 ms of CPU
// per event, were sysmon's wake-ups (/proc/PID/task/*/status and stat over
// 30 s; README → Performance). Bursts never let it sleep and were not
// affected.
//
// The runtime has one setting under which sysmon never sleeps that way:
// GODEBUG=schedtrace=N, which prints a line of scheduler state to stderr
// every N ms, and keeps sysmon on its regular tick, at most 10 ms apart, so
// that it can. sysmonAwake asks for the longest period it takes, 2^31-1 ms
// (24.8 days): the line appears every 24.8 days of the host's uptime (once
// at start on a host up longer than that), and a fatal runtime error
// prints the scheduler's state. An idle dev process's CPU is the same
// either way (1.18% and 1.25% of a core over 60 s).
const sysmonAwake = "schedtrace=2147483647"

// sysmonRestartFailed begins what dev prints when it could not restart
// with sysmonAwake; it then runs on as it is.
const sysmonRestartFailed = "hookflow dev: could not restart with the runtime's monitor kept awake"

// godebugWithSysmonAwake is godebug (a GODEBUG value) with sysmonAwake
// added, and false when godebug already sets schedtrace: the user's choice
// stands (GODEBUG=schedtrace=0 turns this off).
func godebugWithSysmonAwake(godebug string) (string, bool) {
	for _, setting := range strings.Split(godebug, ",") {
		if key, _, _ := strings.Cut(setting, "="); strings.TrimSpace(key) == "schedtrace" {
			return godebug, false
		}
	}
	if godebug == "" {
		return sysmonAwake, true
	}
	return godebug + "," + sysmonAwake, true
}

// runsDev reports whether a command line (without the program name) runs
// `hookflow dev`: its first argument that is not a flag is dev.
func runsDev(args []string) bool {
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			return a == "dev"
		}
	}
	return false
}
