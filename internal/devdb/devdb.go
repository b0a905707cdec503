// Package devdb names the files of hookflow dev's SQLite database: the main
// file (histories, mutable state, task queues) and, beside it, the run list
// (Temporal's visibility store), each with SQLite's -wal and -shm files.
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

// Files is every file the dev database at path may have on disk.
func Files(path string) []string {
	vis := VisibilityFile(path)
	return []string{path, path + "-wal", path + "-shm", vis, vis + "-wal", vis + "-shm"}
}
