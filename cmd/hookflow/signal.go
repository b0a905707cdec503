package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/hookflow/hookflow/internal/admin"
)

func runSignal(ctx context.Context, e env, args []string) error {
	fs := newFlags(e, "signal", "WORKFLOW_ID NAME [FILE|-] [flags]")
	tf := addTemporalFlags(fs, defaultTemporal)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() < 2 || fs.NArg() > 3 {
		fs.Usage()
		return fmt.Errorf("signal needs WORKFLOW_ID and NAME, and optionally a JSON payload FILE (- reads stdin)")
	}
	wfID, name := fs.Arg(0), fs.Arg(1)
	var payload any
	if fs.NArg() == 3 {
		var data []byte
		var err error
		if fs.Arg(2) == "-" {
			data, err = io.ReadAll(os.Stdin)
		} else {
			data, err = os.ReadFile(fs.Arg(2))
		}
		if err != nil {
			return err
		}
		if err := json.Unmarshal(data, &payload); err != nil {
			return fmt.Errorf("%s: payload is not valid JSON: %w", fs.Arg(2), err)
		}
	}
	c, err := dialOperator(e, tf)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := admin.CheckSignal(ctx, c, wfID, name); err != nil {
		return fmt.Errorf("signal %s to %s: %w", name, wfID, err)
	}
	if err := c.SignalWorkflow(ctx, wfID, "", name, payload); err != nil {
		return fmt.Errorf("signal %s to %s: %w", name, wfID, err)
	}
	fmt.Fprintf(e.stdout, "signal %s delivered to %s\n", name, wfID)
	return nil
}
