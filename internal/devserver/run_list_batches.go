package devserver

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"go.temporal.io/server/common/persistence/sql/sqlplugin"
)

// A run's close writes its row into the run list (Temporal's visibility
// store) in a statement and transaction of its own: at a steady 40 webhook
// runs per second that was a ninth of the dev server's CPU, most of it the
// same pages written to the WAL again and again (the table's and each
// index's newest page, the search tables' structure) and a commit per row.
// The history service closes runs from a pool of 16 workers, fed 5 times a
// second, so closes come in together; runListBatches writes those that
// reach it while a row is being written (or, on one P, while its leader
// yields once) with one statement: Temporal's upsert with a row of values per
// run, and RETURNING the runs it wrote, so each close still learns whether
// its row was written (an older version of a row is not). One statement,
// not a transaction of several: inside a transaction SQLite keeps a journal
// of every page each statement changes, which cost more than batching saved.
// Each close returns once its row is committed; a batch that fails is
// written again row by row, so one bad row fails only its own close.
//
// The statement is built from the one Temporal's plugin runs for a row,
// captured with the row as the plugin prepared it (times and keyword lists
// in the run list's formats): the SQL and the row's values stay Temporal's.

// maxRunListBatch bounds a batch, and so how many statements the cache
// keeps for batches (one per size, each a compiled program of Temporal's
// upsert with its search-table triggers: 64 sizes took 20 MB more RSS).
const maxRunListBatch = 16

// runListBatchCount counts the statements that wrote more than one row,
// and runListBatchedRows their rows: what the tests check batching by.
var runListBatchCount, runListBatchedRows atomic.Int64

// runListBatches combines concurrent ReplaceIntoVisibility calls on the
// run list.
// The first caller leads: it writes the rows waiting then, its own first,
// and hands the lead to the first row that arrived meanwhile.
type runListBatches struct {
	// one writes a single row: Temporal's own ReplaceIntoVisibility
	// through the statement cache.
	one   func(ctx context.Context, row *sqlplugin.VisibilityRow) (sql.Result, error)
	stmts *statementCache // on Temporal's connection pool: parameter names, compiling

	mu      sync.Mutex
	pending []*runListWrite
	leading bool
}

type runListWrite struct {
	row  *sqlplugin.VisibilityRow
	wake chan struct{} // closed when written (res, err set) or when it leads
	lead bool          // set under mu before wake closes
	res  sql.Result
	err  error
}

// replace writes row as ReplaceIntoVisibility does, in a batch with those
// that wait for the connection with it.
func (b *runListBatches) replace(ctx context.Context, row *sqlplugin.VisibilityRow) (sql.Result, error) {
	w := &runListWrite{row: row, wake: make(chan struct{})}
	b.mu.Lock()
	b.pending = append(b.pending, w)
	lead := !b.leading
	b.leading = true
	b.mu.Unlock()
	if !lead {
		// Not abandoned when ctx ends: the leader writes the row anyway,
		// and a lead handed to this write must be taken.
		<-w.wake
		if !w.lead {
			return w.res, w.err
		}
	} else {
		// Let the closes that are ready to run reach here first: on one P
		// (hookflow dev while lightly loaded) they would otherwise run only
		// after this one had written its row alone.
		runtime.Gosched()
	}
	b.writeBatch(ctx)
	return w.res, w.err
}

// writeBatch writes the rows waiting (the leader's first), then hands the
// lead to the first row that arrived meanwhile, or gives it up.
func (b *runListBatches) writeBatch(ctx context.Context) {
	b.mu.Lock()
	n := min(len(b.pending), maxRunListBatch)
	batch := b.pending[:n:n]
	b.pending = append([]*runListWrite(nil), b.pending[n:]...)
	b.mu.Unlock()

	// The leader's context may end before the others' rows are written.
	b.write(context.WithoutCancel(ctx), batch)

	b.mu.Lock()
	var next *runListWrite
	if len(b.pending) > 0 {
		next = b.pending[0]
		next.lead = true
	} else {
		b.leading = false
	}
	b.mu.Unlock()
	for _, w := range batch {
		if !w.lead { // a leader handed the lead was woken then
			close(w.wake)
		}
	}
	if next != nil {
		close(next.wake)
	}
}

// write writes batch with one statement, or each row on its own when it is
// one row or the statement fails.
func (b *runListBatches) write(ctx context.Context, batch []*runListWrite) {
	if len(batch) > 1 && b.writeTogether(ctx, batch) {
		runListBatchCount.Add(1)
		runListBatchedRows.Add(int64(len(batch)))
		return
	}
	for _, w := range batch {
		w.res, w.err = b.one(ctx, w.row)
	}
}

// writeTogether writes batch with one statement and reports whether it
// did; if not, nothing of it was written.
func (b *runListBatches) writeTogether(ctx context.Context, batch []*runListWrite) bool {
	var upsert runListUpsert
	seen := make(map[[2]string]bool, len(batch))
	var args []any
	tuples := make([]string, 0, len(batch))
	for _, w := range batch {
		key := [2]string{w.row.NamespaceID, w.row.RunID}
		if seen[key] { // two closes of one run: each decides by the other's version
			return false
		}
		seen[key] = true
		query, row, ok := b.captured(ctx, w.row)
		if !ok {
			return false
		}
		if upsert.head == "" {
			if upsert, ok = splitUpsert(query); !ok {
				return false
			}
		}
		tuple, a, err := b.stmts.db.BindNamed(upsert.values, row)
		if err != nil {
			return false
		}
		tuples = append(tuples, tuple)
		args = append(args, a...)
	}
	text := upsert.head + " VALUES " + strings.Join(tuples, ", ") + " " + upsert.conflict + " RETURNING run_id"
	var rows *sql.Rows
	var err error
	if s := b.stmts.stmt(ctx, text, false); s != nil {
		rows, err = s.QueryContext(ctx, args...)
	} else { // the cache is full: run as text
		rows, err = b.stmts.db.QueryContext(ctx, text, args...)
	}
	if err != nil {
		return false
	}
	written := make(map[string]bool, len(batch))
	for rows.Next() {
		var runID string
		if err := rows.Scan(&runID); err != nil {
			rows.Close()
			return false
		}
		written[runID] = true
	}
	if rows.Close() != nil || rows.Err() != nil {
		return false
	}
	for _, w := range batch {
		if written[w.row.RunID] {
			w.res = driver.RowsAffected(1)
		} else {
			w.res = driver.RowsAffected(0)
		}
	}
	return true
}

// runListUpsert is Temporal's upsert of a run-list row, in three parts:
// INSERT INTO … (columns), the row's values with :name parameters, and the
// ON CONFLICT clause.
type runListUpsert struct{ head, values, conflict string }

var upsertShape = regexp.MustCompile(`(?s)^\s*(INSERT INTO executions_visibility \([^)]*\))\s+VALUES\s+(\([^)]*\))\s+(ON CONFLICT .*\S)\s*$`)

// splitUpsert splits query, or reports that it is not of the shape
// expected (a Temporal this hookflow was not built with: rows are then
// written one by one).
func splitUpsert(query string) (runListUpsert, bool) {
	m := upsertShape.FindStringSubmatch(query)
	if m == nil || strings.Contains(m[3], "RETURNING") {
		return runListUpsert{}, false
	}
	return runListUpsert{head: m[1], values: m[2], conflict: m[3]}, true
}

// captured is the statement Temporal's plugin runs to write row, and row as
// the plugin prepared it, without running it.
func (b *runListBatches) captured(ctx context.Context, row *sqlplugin.VisibilityRow) (string, any, bool) {
	c := &capturedExec{}
	if _, err := b.one(context.WithValue(ctx, captureKey{}, c), row); err != nil || c.query == "" {
		return "", nil, false
	}
	return c.query, c.arg, true
}

// capturedExec is a named statement the statement cache was asked to run
// under a context that carries it: the cache records it instead.
type capturedExec struct {
	query string
	arg   any
}

type captureKey struct{}

// capturing is the capturedExec ctx carries, if any.
func capturing(ctx context.Context) *capturedExec {
	c, _ := ctx.Value(captureKey{}).(*capturedExec)
	return c
}
