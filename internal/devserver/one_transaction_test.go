package devserver

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/server/common/persistence/sql/sqlplugin"
)

// TestRefusedStartLeavesNoHistory: a start refused because its workflow id
// is running (a business system delivering an event twice) leaves nothing
// in the database: no history tree, no history batch. On Temporal's SQL
// store each refused start left both behind, never read (Temporal's
// history scanner deletes such branches after 60 days).
func TestRefusedStartLeavesNoHistory(t *testing.T) {
	file := filepath.Join(t.TempDir(), "dev.db")
	s := startServer(t, file)
	c, err := client.Dial(client.Options{HostPort: s.Addr(), Logger: quietSDKLogger{}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	// No worker polls the queue: the run stays running.
	opts := client.StartWorkflowOptions{ID: "order-1001", TaskQueue: "nobody", WorkflowExecutionErrorWhenAlreadyStarted: true}
	run, err := c.ExecuteWorkflow(ctx, opts, "Waits", "first")
	if err != nil {
		t.Fatal(err)
	}
	before := historyRows(t, file)
	if before.trees == 0 || before.nodes == 0 {
		t.Fatalf("after a start the database holds %+v, want its history", before)
	}
	for i := range 3 {
		_, err := c.ExecuteWorkflow(ctx, opts, "Waits", fmt.Sprintf("again %d", i))
		var started *serviceerror.WorkflowExecutionAlreadyStarted
		if !errors.As(err, &started) {
			t.Fatalf("start %d of a running workflow id: %v, want WorkflowExecutionAlreadyStarted", i+2, err)
		}
	}
	if after := historyRows(t, file); after != before {
		t.Errorf("3 refused starts took the history from %+v to %+v rows, want no change", before, after)
	}

	// The running run's history is whole: its start and its first task.
	events := 0
	for it := c.GetWorkflowHistory(ctx, "order-1001", run.GetRunID(), false, 0); it.HasNext(); events++ {
		if _, err := it.Next(); err != nil {
			t.Fatal(err)
		}
	}
	if events != 2 {
		t.Errorf("the running run's history has %d events, want 2", events)
	}
}

type historyCount struct{ trees, nodes int }

// historyRows counts the history trees and batches in the file, read
// through a connection of its own.
func historyRows(t *testing.T, file string) historyCount {
	t.Helper()
	db := openFile(t, file)
	var n historyCount
	if err := db.QueryRow("SELECT (SELECT count(*) FROM history_tree), (SELECT count(*) FROM history_node)").Scan(&n.trees, &n.nodes); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestStoreWriteIsOneTransaction: statements run with a write's context, on
// the pool and in the transactions the store begins, are one transaction:
// another connection sees none of them before the write ends, all of them
// after it ends without error, and none after it ends with one or after a
// part of it was rolled back. Outside a write they commit as Temporal's
// store commits them.
func TestStoreWriteIsOneTransaction(t *testing.T) {
	file := filepath.Join(t.TempDir(), "dev.db")
	db := openMainDB(t, file, true)
	reader := openFile(t, file)
	rows := func(f sqlplugin.ExecutionsFilter) (n int) {
		t.Helper()
		q := "SELECT (SELECT count(*) FROM history_node WHERE tree_id = ?) + (SELECT count(*) FROM executions WHERE run_id = ?)"
		if err := reader.QueryRow(q, []byte(f.RunID), []byte(f.RunID)).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	bg := context.Background()
	taskID := int64(0)
	write := func(ctx context.Context, f sqlplugin.ExecutionsFilter) error {
		taskID++
		return storeStyleWrite(ctx, db, f, taskID, make([]byte, 300))
	}

	committed := runFilter("orders/committed")
	ctx, w := beginWrite(bg, "test")
	if err := write(ctx, committed); err != nil {
		t.Fatal(err)
	}
	if n := rows(committed); n != 0 {
		t.Errorf("before the write ended another connection saw %d of its rows, want 0", n)
	}
	if inner, none := beginWrite(ctx, "inner"); inner != ctx || none != nil {
		t.Error("a write begun inside a write did not leave the outer one in charge")
	}
	if err := w.end(nil); err != nil {
		t.Fatal(err)
	}
	if n := rows(committed); n != 2 {
		t.Errorf("after the write ended: %d rows, want its history batch and its run", n)
	}
	if err := write(ctx, runFilter("orders/after-end")); !errors.Is(err, errWriteEnded) {
		t.Errorf("a statement after the write ended: %v, want errWriteEnded", err)
	}
	ctx, w = beginWrite(bg, "test")
	if err := w.end(nil); err != nil {
		t.Fatal(err)
	}
	if err := write(ctx, runFilter("orders/after-empty-end")); !errors.Is(err, errWriteEnded) {
		t.Errorf("a statement after a write that ran none ended: %v, want errWriteEnded", err)
	}

	refused := runFilter("orders/refused")
	ctx, w = beginWrite(bg, "test")
	if err := write(ctx, refused); err != nil {
		t.Fatal(err)
	}
	errRefused := errors.New("refused")
	if err := w.end(errRefused); err != errRefused {
		t.Errorf("ending a failed write returned %v, want its error", err)
	}
	if n := rows(refused); n != 0 {
		t.Errorf("a failed write left %d rows, want 0", n)
	}

	rolledBack := runFilter("orders/rolled-back")
	ctx, w = beginWrite(bg, "test")
	if err := write(ctx, rolledBack); err != nil {
		t.Fatal(err)
	}
	tx, err := db.BeginTx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tx.Rollback()
	if err := write(ctx, runFilter("orders/after-rollback")); !errors.Is(err, errWriteRolledBack) {
		t.Errorf("a statement after a part of the write rolled back: %v, want errWriteRolledBack", err)
	}
	if err := w.end(errRefused); err != errRefused {
		t.Errorf("ending a rolled-back write returned %v, want its error", err)
	}
	if n := rows(rolledBack); n != 0 {
		t.Errorf("a rolled-back write left %d rows, want 0", n)
	}

	plain := runFilter("orders/plain")
	if err := write(bg, plain); err != nil {
		t.Fatal(err)
	}
	if n := rows(plain); n != 2 {
		t.Errorf("outside a write: %d rows, want 2", n)
	}
	if _, err := db.SelectFromExecutions(bg, committed); err != nil {
		t.Errorf("reading the committed run back: %v", err)
	}
}

// storeStyleWrite writes a run's first history batch and its state as
// Temporal's SQL store does: the batch on the connection pool, then the
// state in a transaction.
func storeStyleWrite(ctx context.Context, db sqlplugin.DB, f sqlplugin.ExecutionsFilter, taskID int64, events []byte) error {
	if _, err := db.InsertIntoHistoryNode(ctx, &sqlplugin.HistoryNodeRow{ShardID: f.ShardID, TreeID: f.RunID, BranchID: f.RunID,
		NodeID: 1, TxnID: taskID, Data: events, DataEncoding: "Proto3"}); err != nil {
		return err
	}
	tx, err := db.BeginTx(ctx)
	if err != nil {
		return err
	}
	_, err = tx.InsertIntoExecutions(ctx, &sqlplugin.ExecutionsRow{ShardID: f.ShardID, NamespaceID: f.NamespaceID, WorkflowID: f.WorkflowID, RunID: f.RunID,
		NextEventID: 3, LastWriteVersion: 1, Data: events[:200], DataEncoding: "Proto3", State: events[:40], StateEncoding: "Proto3", DBRecordVersion: 1})
	if err == nil {
		_, err = tx.InsertIntoTransferTasks(ctx, []sqlplugin.TransferTasksRow{{ShardID: f.ShardID, TaskID: taskID, Data: events[:120], DataEncoding: "Proto3"}})
	}
	if err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// BenchmarkRunStartWrite is a run's start as the store writes it (its
// first history batch, then its state and a task), committed twice as
// Temporal's store commits it and once as the dev server does.
func BenchmarkRunStartWrite(b *testing.B) {
	for _, v := range []struct {
		name string
		one  bool
	}{{"two-commits", false}, {"one-transaction", true}} {
		b.Run(v.name, func(b *testing.B) {
			db := openMainDB(b, filepath.Join(b.TempDir(), "dev.db"), true)
			events := make([]byte, 1800) // a start batch's size
			bg := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			cpu := processCPU(b)
			for i := range b.N {
				ctx, w := bg, (*write)(nil)
				if v.one {
					ctx, w = beginWrite(bg, "bench")
				}
				err := w.end(storeStyleWrite(ctx, db, runFilter(fmt.Sprintf("bench/%d", i)), int64(i+1), events))
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64((processCPU(b)-cpu).Nanoseconds())/float64(b.N), "cpu-ns/op")
		})
	}
}
