package devserver

import (
	"database/sql"
	"fmt"
	"strings"
)

// Temporal's SQLite schema makes every table a rowid table: its rows in a
// b-tree keyed by a hidden row number, and its primary key in a second
// b-tree beside it (sqlite_autoindex_<table>_1). Every insert and delete
// then writes two trees, and every page of both that a commit touches goes
// to the WAL, is synced there and copied back at the next checkpoint. The
// dev server keeps the tables a webhook run writes with small rows WITHOUT
// ROWID instead: one b-tree each, keyed by the primary key. Temporal's
// statements on them name only columns and run unchanged (none reads a
// rowid; the run list's full-text tables, which do, are not among them).
//
// SQLite advises WITHOUT ROWID for rows smaller than about a twentieth of a
// page, because the b-tree's inner pages then hold whole rows: the tables
// below fit that (a few hundred bytes on 8 KB pages). The run's history
// (history_node) and its mutable state (executions), a kilobyte or more a
// row, stay rowid tables. With the tables below, hookflow dev writes 11%
// fewer bytes per event at a steady 40/s (238 → 211 KB: WAL frames and
// their checkpoint copies); with those two converted as well, 216 KB
// (docs/performance.md, 2026-12-02 07:12).
//
//   - timer_tasks: a webhook run writes two timers, its workflow task's
//     timeout, four seconds on, deleted when it fires, and its deletion
//     after the retention period, kept for days. Side by side in write
//     order, every deleted timeout left a hole beside a kept timer, and the
//     table stayed 40% empty. In the order of its primary key (shard, the
//     time a timer fires, task id), timeouts come and go together at one
//     end, kept timers append at the other (the embedded server sets no
//     jitter on them).
//   - transfer_tasks, visibility_tasks: keyed by (shard, task id), ids that
//     only grow: rows append at one end and are deleted in ranges from the
//     other, in the same order in one tree as they were in two.
//   - current_executions: one row per workflow id (a webhook event's id),
//     written when its run starts and when it closes.
//   - history_tree: one row per run, written when it starts.
var clusteredTables = []string{"timer_tasks", "transfer_tasks", "visibility_tasks", "current_executions", "history_tree"}

const withoutRowid = "WITHOUT ROWID"

// clusterTables makes each of file's clusteredTables a WITHOUT ROWID table
// with the same columns, primary key and rows, unless it is one already,
// and returns how many rows it moved, table by table (only the tables it
// converted). rebuilding, when not nil, hears of each table before its rows
// are copied (an older file's large tables take a while). It runs before
// the server opens the file, in one transaction: an interrupted start
// leaves every table as it was.
func clusterTables(file string, rebuilding func(table string)) (map[string]int64, error) {
	db, err := openDirect(file)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	tx, err := db.Begin()
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	moved := map[string]int64{}
	for _, table := range clusteredTables {
		n, done, err := clusterTable(tx, table, rebuilding)
		if err != nil {
			return nil, fmt.Errorf("table %s: %w", table, err)
		}
		if done {
			moved[table] = n
		}
	}
	if len(moved) == 0 {
		return nil, nil
	}
	return moved, tx.Commit()
}

// clusterTable rebuilds table WITHOUT ROWID within tx, from Temporal's own
// CREATE TABLE statement, and says whether it did and how many rows it
// moved.
func clusterTable(tx *sql.Tx, table string, rebuilding func(string)) (int64, bool, error) {
	var schema string
	if err := tx.QueryRow(`SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?`, table).Scan(&schema); err != nil {
		return 0, false, err
	}
	schema = strings.TrimSpace(schema)
	if strings.HasSuffix(schema, withoutRowid) {
		return 0, false, nil
	}
	if !strings.HasSuffix(schema, ")") || !strings.Contains(schema, "PRIMARY KEY") {
		return 0, false, fmt.Errorf("not a table definition the dev server knows how to rebuild: %s", schema)
	}
	if rebuilding != nil {
		rebuilding(table)
	}
	old := table + "_by_rowid"
	for _, stmt := range []string{
		`ALTER TABLE ` + table + ` RENAME TO ` + old,
		schema + ` ` + withoutRowid,
	} {
		if _, err := tx.Exec(stmt); err != nil {
			return 0, false, err
		}
	}
	res, err := tx.Exec(`INSERT INTO ` + table + ` SELECT * FROM ` + old)
	if err != nil {
		return 0, false, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, false, err
	}
	if _, err := tx.Exec(`DROP TABLE ` + old); err != nil {
		return 0, false, err
	}
	return n, true, nil
}
