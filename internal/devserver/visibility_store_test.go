package devserver

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/hookflow/hookflow/internal/devdb"
)

// TestRunListMovesToItsOwnFile: a database made by an older hookflow keeps
// its run list in the main file; the next start moves it to the run list's
// own file, where every run is still listed, and clears it from the main one.
// A move cut short (rows in both files) completes on the start after.
func TestRunListMovesToItsOwnFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "dev.db")
	vis := devdb.VisibilityFile(file)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx := context.Background()

	s, err := Start(ctx, Options{UIPort: -1, DBFile: file, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.Dial(client.Options{HostPort: s.Addr(), Logger: quietSDKLogger{}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "moved/1", TaskQueue: "nobody"}, "Waits"); err != nil {
		t.Fatal(err)
	}
	listed(t, c, "moved/1") // in the new layout
	c.Close()
	s.Stop()
	runs := runListRows(t, vis) + 1 // the server's own and moved/1, and moved/2 below
	if runs == 0 {
		t.Fatal("the run list's file lists no runs")
	}

	// The layout of an older hookflow: the run list in the main file only,
	// copied to a new path (the server keeps its connections to the files
	// it opened for the life of the process).
	putBack(t, file, vis)
	file, vis = filepath.Join(dir, "old.db"), filepath.Join(dir, "old.visibility.db")
	copyDB(t, filepath.Join(dir, "dev.db"), file)
	restart := func() {
		t.Helper()
		if n := runListRows(t, file); n != runs {
			t.Fatalf("the main file lists %d runs before the start, want %d", n, runs)
		}
		s, err := Start(ctx, Options{UIPort: -1, DBFile: file, Logger: logger})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Stop()
		c, err := client.Dial(client.Options{HostPort: s.Addr(), Logger: quietSDKLogger{}})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		listed(t, c, "moved/1")
		listed(t, c, "moved/2")
		if n := runListRows(t, file); n != 0 {
			t.Errorf("the main file still lists %d runs after the move", n)
		}
		if n := runListRows(t, vis); n != runs {
			t.Errorf("the run list's file lists %d runs, want %d", n, runs)
		}
	}
	restart()

	// A move cut short after the copy: the rows are in both files.
	putBack(t, file, vis)
	restart()
}

// copyDB copies the database from to the new file to.
func copyDB(t *testing.T, from, to string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+from)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("VACUUM INTO ?", to); err != nil {
		t.Fatal(err)
	}
}

// putBack copies the run list from the file vis into the main file.
func putBack(t *testing.T, file, vis string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+file)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec("ATTACH DATABASE ? AS vis", vis); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := copyRunList(ctx, db, "vis", "main"); err != nil {
		t.Fatal(err)
	}
	// And a run only the moved list can show: the server replays run-list
	// writes it had not confirmed, which would list moved/1 again anyway.
	cols, err := storedColumns(ctx, db, "vis")
	if err != nil {
		t.Fatal(err)
	}
	var names, values []string
	for c := range cols {
		names = append(names, c)
	}
	list := strings.Join(names, ", ")
	for _, n := range names {
		switch n {
		case "workflow_id":
			n = "'moved/2'"
		case "run_id":
			n = "'0b5e2c1a-0000-4000-8000-000000000002'"
		}
		values = append(values, n)
	}
	clone := strings.Join(values, ", ")
	if _, err := db.Exec("INSERT OR IGNORE INTO main.executions_visibility (" + list + ") SELECT " + clone + " FROM vis.executions_visibility WHERE workflow_id = 'moved/1'"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("DETACH DATABASE vis"); err != nil {
		t.Fatal(err)
	}
}

// TestRunListFileIsPrivate: the run list names every run and its search
// attributes: like the main file, only this user may read it.
func TestRunListFileIsPrivate(t *testing.T) {
	file := filepath.Join(t.TempDir(), ".hookflow", "dev.db")
	o := &Options{DBFile: file, Namespace: "default", Retention: 24 * time.Hour}
	sqlConfigs(t, o)
	st, err := os.Stat(devdb.VisibilityFile(file))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		t.Errorf("run list file has mode %v, want no access for group and others", st.Mode().Perm())
	}
}

// listed waits until the run list shows workflow id.
func listed(t *testing.T, c client.Client, id string) {
	t.Helper()
	var got []string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		resp, err := c.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{Query: "WorkflowId = '" + id + "'"})
		if err != nil {
			t.Fatal(err)
		}
		got = got[:0]
		for _, e := range resp.Executions {
			got = append(got, e.GetExecution().GetWorkflowId())
		}
		if slices.Contains(got, id) {
			return
		}
	}
	t.Fatalf("run %s never listed (listed: %v)", id, got)
}

func runListRows(t *testing.T, file string) int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+file)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow("SELECT count(*) FROM executions_visibility").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
