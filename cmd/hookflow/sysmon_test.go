package main

import "testing"

func TestGodebugWithSysmonAwake(t *testing.T) {
	for _, c := range []struct {
		in, want string
		changed  bool
	}{
		{"", sysmonAwake, true},
		{"madvdontneed=1", "madvdontneed=1," + sysmonAwake, true},
		{"schedtrace=0", "schedtrace=0", false},                           // the user's choice: off
		{"gctrace=1, schedtrace=500", "gctrace=1, schedtrace=500", false}, // or a period of their own
		{"schedtracex=1", "schedtracex=1," + sysmonAwake, true},
	} {
		got, changed := godebugWithSysmonAwake(c.in)
		if got != c.want || changed != c.changed {
			t.Errorf("godebugWithSysmonAwake(%q) = %q, %v; want %q, %v", c.in, got, changed, c.want, c.changed)
		}
	}
}

func TestRunsDev(t *testing.T) {
	for _, c := range []struct {
		args []string
		want bool
	}{
		{[]string{"dev"}, true},
		{[]string{"dev", "--project", "x"}, true},
		{[]string{"--help", "dev"}, true},
		{[]string{"serve", "dev"}, false},
		{[]string{"help", "dev"}, false},
		{nil, false},
	} {
		if got := runsDev(c.args); got != c.want {
			t.Errorf("runsDev(%q) = %v, want %v", c.args, got, c.want)
		}
	}
}
