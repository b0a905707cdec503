// Package devdb names the files of hookflow dev's SQLite database: the main
// file (histories, mutable state, task queues) and, beside it, the run list
// (Temporal's visibility store), each with SQLite's -wal and -shm files,
// and the lock a running dev holds on them.
package devdb

import (
	"path/filepath"
	"strings"
)

// VisibilityFile is the file that holds the run list of the dev database at
// path: .hookflow/dev.db → .hookflow/dev.visibility.db.
func VisibilityFile(path string) string {
	ext := filepath.Ext(path)
	return strings.TrimSuffix(path, ext) + ".visibility" + ext
}

// LockFile is the file a running hookflow dev locks while it uses the dev
// database at path: .hookflow/dev.db → .hookflow/dev.db.lock (empty).
func LockFile(path string) string { return path + ".lock" }

// Files is every file that may hold the data of the dev database at path
// (not its lock file, which stays empty).
func Files(path string) []string {
	vis := VisibilityFile(path)
	return []string{path, path + "-wal", path + "-shm", vis, vis + "-wal", vis + "-shm"}
}
