package devserver

import (
	"fmt"
	"strings"
)

// Temporal's timer_tasks table keeps its rows in the order they were
// written (a rowid table, its primary key in an index beside it). A webhook
// run writes two timers: its workflow task's timeout, four seconds on,
// deleted when it fires, and its deletion after the retention period, kept
// for days. Side by side in write order, every deleted timeout left a hole
// beside a kept timer, and the table stayed 40% empty. The dev server keeps
// the table WITHOUT ROWID, in the order of its primary key (shard, the time
// a timer fires, task id): timeouts come and go together at one end, kept
// timers append at the other (the embedded server sets no jitter on them),
// and the index beside the table goes. Temporal's statements on the table
// name only its columns; they run unchanged.

// timerTasksByTime is Temporal's timer_tasks (schema/sqlite/v3/temporal),
// clustered on its primary key.
const timerTasksByTime = `CREATE TABLE timer_tasks (
	shard_id INT NOT NULL,
	visibility_timestamp TIMESTAMP NOT NULL,
	task_id BIGINT NOT NULL,
	data MEDIUMBLOB NOT NULL,
	data_encoding VARCHAR(16) NOT NULL,
	PRIMARY KEY (shard_id, visibility_timestamp, task_id)
) WITHOUT ROWID`

// clusterTimerTasks makes file's timer_tasks table timerTasksByTime, with
// the rows it holds, unless it is already; it returns how many timers it
// moved. It runs before the server opens the file, in one transaction: an
// interrupted start leaves the table as it was.
func clusterTimerTasks(file string) (int64, error) {
	db, err := openDirect(file)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var schema string
	if err := db.QueryRow(`SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'timer_tasks'`).Scan(&schema); err != nil {
		return 0, fmt.Errorf("timer table: %w", err)
	}
	if strings.HasSuffix(schema, "WITHOUT ROWID") {
		return 0, nil
	}
	tx, err := db.Begin()
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	exec := func(stmt string) (int64, error) {
		res, err := tx.Exec(stmt)
		if err != nil {
			return 0, fmt.Errorf("timer table: %w", err)
		}
		return res.RowsAffected()
	}
	if _, err := exec(`ALTER TABLE timer_tasks RENAME TO timer_tasks_by_rowid`); err != nil {
		return 0, err
	}
	if _, err := exec(timerTasksByTime); err != nil {
		return 0, err
	}
	moved, err := exec(`INSERT INTO timer_tasks SELECT shard_id, visibility_timestamp, task_id, data, data_encoding FROM timer_tasks_by_rowid`)
	if err != nil {
		return 0, err
	}
	if _, err := exec(`DROP TABLE timer_tasks_by_rowid`); err != nil {
		return 0, err
	}
	return moved, tx.Commit()
}
