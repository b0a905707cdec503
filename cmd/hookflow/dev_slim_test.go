//go:build slim

package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestSlimRefusesDev: the slim build has no dev command, and says which
// build has it, wherever dev stands among the arguments.
func TestSlimRefusesDev(t *testing.T) {
	for _, args := range [][]string{{"dev"}, {"--help=false", "dev", "--ephemeral"}} {
		var out, errOut bytes.Buffer
		err := run(context.Background(), args, func(string) (string, bool) { return "", false }, &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), "not in this slim build") || !strings.Contains(err.Error(), "go run ./cmd/hookflow dev") {
			t.Errorf("%q: %v, want the slim build's refusal naming the full build", args, err)
		}
	}
}
