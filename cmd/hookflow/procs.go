//go:build !slim

package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/hookflow/hookflow/internal/procs"
)

// procsFlagHelp is dev's --procs flag's help.
const procsFlagHelp = `how many Ps (threads running Go code) dev uses: "all" (the Go runtime's default), or "auto": one while dev is lightly loaded, all under load (less CPU per event at a steady rate; a burst's first moments wait; README → Performance)`

// governProcs starts the --procs setting: "all" leaves the runtime alone;
// "auto" runs internal/procs's governor until ctx ends. GOMAXPROCS in the
// environment also fixes the width, so it and "auto" together are an
// error.
func governProcs(ctx context.Context, setting string, getenv func(string) (string, bool)) error {
	switch strings.ToLower(strings.TrimSpace(setting)) {
	case "all", "":
		return nil
	case "auto":
		if v, set := getenv("GOMAXPROCS"); set {
			return fmt.Errorf("--procs auto and GOMAXPROCS=%s both set how many Ps dev uses: drop one", v)
		}
		go (&procs.Governor{}).Run(ctx)
		return nil
	default:
		return fmt.Errorf(`--procs %q: give "all" or "auto"`, setting)
	}
}
