package main

import (
	"context"
	"os"
	"testing"
)

// The baselines run as child processes of this binary; under test that
// binary is the test binary, which becomes the CLI when asked to.
func TestMain(m *testing.M) {
	if os.Getenv("HOOKBENCH_TEST_AS_CLI") == "1" {
		ctx, cancel := signalContext()
		defer cancel()
		if err := run(ctx, os.Args[1:], os.LookupEnv, os.Stdout, os.Stderr); err != nil {
			os.Stderr.WriteString("hookbench: " + err.Error() + "\n")
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func signalContext() (context.Context, context.CancelFunc) {
	return signalNotify(context.Background())
}
