package devserver

import (
	"context"
	"errors"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/server/common/persistence"
	"go.temporal.io/server/common/persistence/sql/sqlplugin"
)

// Temporal's SQL store writes a run's new history before its state, each in
// a transaction of its own (1.32.1: sqlExecutionStore appends the history
// batches, then writes the state under the shard's lock). On the dev
// server that is two commits, two WAL appends, for each write where one
// would do; and when the state is refused, the history stays: a second
// start of a running workflow id (a duplicate delivery of an event)
// commits its first history batch, has its run refused, and leaves that
// batch and its history tree in the database with no run to read them,
// until Temporal's history scanner deletes branches without a run (60
// days later, by default).
//
// oneTransaction makes each write of a run's history and state one
// transaction: the store's statements, those it runs in transactions and
// those it runs on the connection pool, run in one transaction that
// commits when the write returns without error and is rolled back when it
// fails. The dev server's main database has one connection (Temporal's
// SQLite plugin opens it so), which a transaction holds until it ends, so
// nothing else could run between the parts of a write anyway; the
// transaction is begun at the write's first statement, on that
// connection, with the statement cache in it (statement_cache.go).

// oneTransaction is Temporal's execution store with each write of a run's
// history and state in one transaction.
type oneTransaction struct{ persistence.ExecutionStore }

func (s oneTransaction) CreateWorkflowExecution(ctx context.Context, req *persistence.InternalCreateWorkflowExecutionRequest) (_ *persistence.InternalCreateWorkflowExecutionResponse, err error) {
	ctx, w := beginWrite(ctx, "CreateWorkflowExecution")
	defer func() { err = w.end(err) }()
	return s.ExecutionStore.CreateWorkflowExecution(ctx, req)
}

func (s oneTransaction) UpdateWorkflowExecution(ctx context.Context, req *persistence.InternalUpdateWorkflowExecutionRequest) (err error) {
	ctx, w := beginWrite(ctx, "UpdateWorkflowExecution")
	defer func() { err = w.end(err) }()
	return s.ExecutionStore.UpdateWorkflowExecution(ctx, req)
}

func (s oneTransaction) ConflictResolveWorkflowExecution(ctx context.Context, req *persistence.InternalConflictResolveWorkflowExecutionRequest) (err error) {
	ctx, w := beginWrite(ctx, "ConflictResolveWorkflowExecution")
	defer func() { err = w.end(err) }()
	return s.ExecutionStore.ConflictResolveWorkflowExecution(ctx, req)
}

// writeKey is the context key a write is kept under.
type writeKey struct{}

// write is one write of the store's, under way: its statements run in tx,
// begun at the first of them.
type write struct {
	name string
	tx   sqlplugin.Tx // Temporal's transaction; nil until the first statement
	conn cachedConn   // tx's connection, with the statement cache in front
	err  error        // set when a part of the write rolled it back
}

// beginWrite returns ctx carrying a new write, and the write; inside a
// write it returns ctx and nil, and the outer write holds both.
func beginWrite(ctx context.Context, name string) (context.Context, *write) {
	if ctx.Value(writeKey{}) != nil {
		return ctx, nil
	}
	w := &write{name: name}
	return context.WithValue(ctx, writeKey{}, w), w
}

// writeIn is the write ctx carries, if statements on cache's database join
// it (the main database's; the run list's is written apart).
func writeIn(ctx context.Context, cache *statementCache) *write {
	if !cache.joinsWrites {
		return nil
	}
	w, _ := ctx.Value(writeKey{}).(*write)
	return w
}

// begin is the connection the write's statements run on, its transaction
// begun if it is not yet.
func (w *write) begin(ctx context.Context, cache *statementCache) (cachedConn, error) {
	if w.err != nil {
		return cachedConn{}, w.err
	}
	if w.tx != nil {
		return w.conn, nil
	}
	tx, err := cache.beginTx(ctx, cache.temporal)
	if err != nil {
		return cachedConn{}, err
	}
	_, conn, ok := temporalConnAs[cachedConn](tx)
	if !ok {
		tx.Rollback()
		return cachedConn{}, errNoTxConn
	}
	w.tx, w.conn = tx, conn
	return conn, nil
}

// transaction is the write's transaction as a transaction the store begins
// inside the write: its statements run in the write's, its commit waits
// for the write's end, and its rollback rolls the whole write back.
func (w *write) transaction(ctx context.Context, cache *statementCache) (sqlplugin.Tx, error) {
	if _, err := w.begin(ctx, cache); err != nil {
		return nil, err
	}
	return joinedTx{Tx: w.tx, w: w}, nil
}

type joinedTx struct {
	sqlplugin.Tx
	w *write
}

func (t joinedTx) Commit() error { return t.w.err }

func (t joinedTx) Rollback() error {
	t.w.rollback()
	return nil
}

// errWriteRolledBack is what a write's statements return after a part of
// it was rolled back: the store retries the whole write.
var errWriteRolledBack = serviceerror.NewUnavailable("dev server: the write was rolled back by an earlier failure in it")

func (w *write) rollback() {
	if w.err == nil && w.tx != nil {
		w.tx.Rollback()
	}
	w.err = errWriteRolledBack
}

// end commits the write when err is nil and rolls it back otherwise; it
// returns err, or why the write did not commit. However it ends, a
// statement run with the write's context afterwards fails rather than
// begin a transaction nothing would end.
func (w *write) end(err error) error {
	if w == nil {
		return err
	}
	switch {
	case err != nil:
		w.rollback()
		return err
	case w.err != nil:
		return w.err
	}
	if w.tx != nil { // nil when no statement ran
		if cerr := w.tx.Commit(); cerr != nil {
			w.err = errWriteRolledBack
			return serviceerror.NewUnavailablef("%s: failed to commit transaction: %v", w.name, cerr)
		}
	}
	w.err = errWriteEnded
	return nil
}

// errWriteEnded is what a statement run with a write's context after the
// write ended returns: a store that keeps the context past its write.
var errWriteEnded = errors.New("dev server: a statement ran in a write that had ended")
