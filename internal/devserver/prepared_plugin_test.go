package devserver

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"go.temporal.io/sdk/client"

	"github.com/hookflow/hookflow/internal/devdb"
)

// TestServerUsesCompiledStatements: a dev server on files writes its run
// list and loads a run's state through the statements preparedPlugin
// compiles once, on a second connection to each file that all the server's
// stores on the file share; on stop, those connections close.
func TestServerUsesCompiledStatements(t *testing.T) {
	file := filepath.Join(t.TempDir(), "dev.db")
	ctx := context.Background()
	s, err := Start(ctx, Options{UIPort: -1, DBFile: file, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	defer func() {
		if !stopped {
			s.Stop()
		}
	}()
	c, err := client.Dial(client.Options{HostPort: s.Addr(), Logger: quietSDKLogger{}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "compiled/1", TaskQueue: "nobody"}, "Waits")
	if err != nil {
		t.Fatal(err)
	}
	listed(t, c, "compiled/1") // its start written to the run list
	if err := c.TerminateWorkflow(ctx, "compiled/1", run.GetRunID(), "done"); err != nil {
		t.Fatal(err) // loads the run's state (the start does not cache it) and closes it
	}

	mainConn, visConn := openConn(t, file), openConn(t, devdb.VisibilityFile(file))
	if mainConn == nil || visConn == nil {
		t.Fatalf("second connections: main %v, run list %v; want both open", mainConn != nil, visConn != nil)
	}
	// The server opens several stores on each file (its services'); they
	// share one second connection, as they share Temporal's.
	if refs := sharing(mainConn, visConn); refs[0] < 2 || refs[1] < 2 {
		t.Errorf("stores sharing the second connections: main %d, run list %d; want several each", refs[0], refs[1])
	}
	if !compiledOn(visConn, runListInsert) {
		t.Error("the run list's start write did not go through the compiled insert")
	}
	if !compiledOn(mainConn, executionQuery) {
		t.Error("loading the run's state did not go through the compiled read")
	}

	s.Stop()
	stopped = true
	if c := openConn(t, file); c != nil {
		t.Errorf("the main file's second connection is still open after Stop (%d references)", sharing(c)[0])
	}
}

// openConn is the pool's second connection to file, nil when there is none.
func openConn(t *testing.T, file string) *preparedConn {
	t.Helper()
	preparedConns.mu.Lock()
	defer preparedConns.mu.Unlock()
	for dsn, c := range preparedConns.conns {
		if strings.HasPrefix(dsn, "file:"+file+"?") {
			return c
		}
	}
	return nil
}

// sharing is how many open stores use each connection.
func sharing(conns ...*preparedConn) []int {
	preparedConns.mu.Lock()
	defer preparedConns.mu.Unlock()
	refs := make([]int, len(conns))
	for i, c := range conns {
		refs[i] = c.refs
	}
	return refs
}

func compiledOn(c *preparedConn, query string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, named := c.named[query]
	_, plain := c.plain[query]
	return named || plain
}
