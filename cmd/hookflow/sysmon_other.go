//go:build !linux

package main

// keepSysmonAwake does nothing here: the gain was measured on Linux only
// (sysmon.go).
func keepSysmonAwake() error { return nil }
