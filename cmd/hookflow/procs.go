//go:build !slim

package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/hookflow/hookflow/internal/procs"
	"github.com/hookflow/hookflow/internal/telemetry"
)

// procsFlagHelp is dev's --procs flag's help.
const procsFlagHelp = `how many Ps (threads running Go code) dev uses: "all" (the Go runtime's default), or "auto": one while dev is lightly loaded, all under load or a surge of webhooks (less CPU per event at a steady rate; README → Performance)`

// procsGoverned reads the --procs setting: "all" leaves the runtime alone;
// "auto" is governed (startGovernor). GOMAXPROCS in the environment also
// fixes the width, so it and "auto" together are an error.
func procsGoverned(setting string, getenv func(string) (string, bool)) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(setting)) {
	case "all", "":
		return false, nil
	case "auto":
		if v, set := getenv("GOMAXPROCS"); set {
			return false, fmt.Errorf("--procs auto and GOMAXPROCS=%s both set how many Ps dev uses: drop one", v)
		}
		return true, nil
	default:
		return false, fmt.Errorf(`--procs %q: give "all" or "auto"`, setting)
	}
}

// startGovernor runs internal/procs's governor until ctx ends, widening
// also on a surge of the webhook requests metrics counts.
func startGovernor(ctx context.Context, metrics *telemetry.Metrics) {
	go (&procs.Governor{Arrivals: metrics.WebhooksAnswered}).Run(ctx)
}
