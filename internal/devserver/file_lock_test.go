package devserver

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.temporal.io/sdk/client"

	"github.com/hookflow/hookflow/internal/devdb"
)

// TestSecondServerOnADatabaseIsRefused: a second dev server on a database
// file another one is using (its own ports, the same file) is refused at
// start with what to do instead, and the first keeps serving. Once the
// first stops, the file can be opened again. Before, both started and took Temporal's history shard
// from each other.
func TestSecondServerOnADatabaseIsRefused(t *testing.T) {
	file := filepath.Join(t.TempDir(), "dev.db")
	ctx := context.Background()
	first := startServer(t, file)
	if st, err := os.Stat(devdb.LockFile(file)); err != nil {
		t.Errorf("the lock file: %v", err)
	} else if st.Mode().Perm()&0o077 != 0 {
		t.Errorf("the lock file has mode %v; want it for this user alone, as the database", st.Mode().Perm())
	}

	second, err := Start(ctx, quietOptions(file))
	if err == nil {
		second.Stop()
		t.Fatal("a second dev server started on the database the first one is using")
	}
	for _, want := range []string{file, "in use by another hookflow dev", "--db"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the refusal %q does not say %q", err, want)
		}
	}
	c, err := client.Dial(client.Options{HostPort: first.Addr(), Logger: quietSDKLogger{}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		t.Errorf("the first server stopped answering after the second was refused: %v", err)
	}
	c.Close()

	first.Stop()
	again, err := Start(ctx, quietOptions(file))
	if err != nil {
		t.Fatalf("the database could not be opened again after its server stopped: %v", err)
	}
	again.Stop()
}
