package main

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
)

// What the SDK logs for a failed activity carries no customer data: the
// canaries planted in the failure's message, its details and the
// activity's arguments never reach the log; the failure's class does.
func TestSDKLogCarriesNoPayloads(t *testing.T) {
	for _, format := range []string{"json", "text"} {
		var buf bytes.Buffer
		log := sdklog.NewStructuredLogger(sdkLogger(newLogger(&buf, format, slog.LevelDebug)))
		appErr := temporal.NewNonRetryableApplicationError("crm.upsert: HTTP 400: email canary-ada@example.com is taken", "HTTP400", nil, "canary-detail")
		log.Error("Activity error.", "ActivityType", "CallStep", "Attempt", 3, "Error", fmt.Errorf("wrapped: %w", appErr), "Args", []any{"canary-arg"})
		log.Warn("Failed to process workflow task.", "Error", errors.New("canary-plain"))
		withLog := sdklog.With(log, "Result", "canary-result")
		withLog.Info("done", "WorkflowID", "orders/1")
		out := buf.String()
		if strings.Contains(out, "canary") {
			t.Errorf("%s log leaks customer data:\n%s", format, out)
		}
		for _, want := range []string{"ApplicationError HTTP400 (not retried)", "CallStep", "orders/1"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s log lost %q:\n%s", format, want, out)
			}
		}
	}
}
