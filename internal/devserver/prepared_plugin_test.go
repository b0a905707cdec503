package devserver

import (
	"context"
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/client"
)

// TestServerUsesCompiledStatements: a dev server, on files and in memory,
// runs Temporal's statements compiled, inside transactions (a run's start
// and its close) and outside them (loading a run's state, writing the run
// list); on stop, its statement caches close.
func TestServerUsesCompiledStatements(t *testing.T) {
	for _, tc := range []struct{ name, file string }{
		{"file", filepath.Join(t.TempDir(), "dev.db")},
		{"memory", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			open := openCaches.Load()
			tx, plain := compiledRuns.tx.Load(), compiledRuns.plain.Load()
			ctx := context.Background()
			s := startServer(t, tc.file)
			if n := openCaches.Load() - open; n < 2 {
				t.Errorf("%d statement caches open, want one in each of the server's stores", n)
			}
			c, err := client.Dial(client.Options{HostPort: s.Addr(), Logger: quietSDKLogger{}})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			// The first run's transactions meet their statements and have
			// them compiled before the next; the second run's use them.
			for _, id := range []string{"compiled/1", "compiled/2"} {
				run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: "nobody"}, "Waits")
				if err != nil {
					t.Fatal(err)
				}
				listed(t, c, id) // its start written to the run list
				if err := c.TerminateWorkflow(ctx, id, run.GetRunID(), "done"); err != nil {
					t.Fatal(err) // loads the run's state (the start does not cache it) and closes it
				}
			}
			if n := compiledRuns.tx.Load() - tx; n == 0 {
				t.Error("no statement ran compiled inside a transaction")
			}
			if n := compiledRuns.plain.Load() - plain; n == 0 {
				t.Error("no statement ran compiled outside a transaction")
			}

			s.Stop()
			if n := openCaches.Load() - open; n != 0 {
				t.Errorf("%d statement caches still open after Stop", n)
			}
		})
	}
}
