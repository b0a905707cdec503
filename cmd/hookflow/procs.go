package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/hookflow/hookflow/internal/procs"
	"github.com/hookflow/hookflow/internal/telemetry"
)

// procsFlagHelp is dev's --procs flag's help.
const procsFlagHelp = `how many Ps (threads running Go code) dev uses: "auto" (the default): one while dev is lightly loaded, all under load or a surge of webhooks (less CPU per event at a steady rate; README → Performance); or "all", the Go runtime's default. With GOMAXPROCS set, the default leaves the width to it`

// defaultProcs is what dev does without --procs. The test binary sets it to
// "all" (TestMain): its dev servers run inside the test process, whose width
// a governor would change under every other test; the tests that start dev
// as a process of its own get "auto". (Built in the slim build too, unused,
// so that TestMain can set it in both.)
var defaultProcs = "auto"

// procsGoverned reads the --procs setting ("" when not given, then
// byDefault): "all" leaves the runtime alone; "auto" is governed
// (startGovernor). GOMAXPROCS in the environment also fixes the width: with
// it, the default is "all", and an explicit "auto" is an error.
func procsGoverned(setting, byDefault string, getenv func(string) (string, bool)) (bool, error) {
	given := strings.ToLower(strings.TrimSpace(setting))
	value := given
	if value == "" {
		value = byDefault
	}
	switch value {
	case "all":
		return false, nil
	case "auto":
		if v, set := getenv("GOMAXPROCS"); set {
			if given == "" {
				return false, nil
			}
			return false, fmt.Errorf("--procs auto and GOMAXPROCS=%s both set how many Ps dev uses: drop one", v)
		}
		return true, nil
	default:
		return false, fmt.Errorf(`--procs %q: give "auto" or "all"`, setting)
	}
}

// startGovernor runs internal/procs's governor until ctx ends, widening
// also on a surge of the webhook requests metrics counts.
func startGovernor(ctx context.Context, metrics *telemetry.Metrics) {
	go (&procs.Governor{Arrivals: metrics.WebhooksAnswered}).Run(ctx)
}
