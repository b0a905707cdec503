package devserver

import (
	"fmt"

	"github.com/gofrs/flock"

	"github.com/hookflow/hookflow/internal/devdb"
)

// A dev server owns its database file. Two started on the same file (other
// ports, the same --db) both came up and both ran Temporal's history shard
// on it: each took the shard from the other in turn, so events answered by
// one could stall or fail in the other, and each one's memory of fresh
// runs (fresh_runs.go) stopped matching the file. The second is now
// refused at start with what to do instead.
//
// lockDatabaseFile takes the lock (an advisory lock on devdb.LockFile,
// gofrs/flock: flock on Unix, LockFileEx on Windows) that a dev server
// holds on file until it stops. The lock is on a file of its own, not the
// database, so that it never meets SQLite's own locks on the database. The
// operating system drops it when the process ends, however it ends; the
// empty file stays.
func lockDatabaseFile(file string) (*flock.Flock, error) {
	if err := makeDatabaseDir(file); err != nil {
		return nil, err
	}
	l := flock.New(devdb.LockFile(file))
	locked, err := l.TryLock()
	if err != nil {
		return nil, fmt.Errorf("lock the database %s: %w", file, err)
	}
	if !locked {
		return nil, fmt.Errorf("database %s is in use by another hookflow dev (it holds %s): stop that one, or give this one a database of its own with --db", file, l.Path())
	}
	return l, nil
}
