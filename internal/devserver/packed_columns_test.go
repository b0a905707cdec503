package devserver

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/server/common/persistence/sql/sqlplugin"
	"go.temporal.io/server/common/primitives"
	"google.golang.org/protobuf/proto"
)

// historyBatches are a recorded webhook run's history (the replay corpus's
// sequential run: a started event with the event and its plan, the markers
// of two calls, the search attributes and the completion) in the two
// batches the history service stores it in, each as a history_node row.
func historyBatches(t testing.TB) [][]byte {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "workflows", "testdata", "history_v2_sequential.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h, err := client.HistoryFromJSON(f, client.HistoryJSONOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, events := range [][]*historypb.HistoryEvent{h.Events[:3], h.Events[3:]} {
		b, err := proto.Marshal(&historypb.History{Events: events})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// TestPackedValues: a history batch packs to about half behind the marker
// and unpacks to itself; what would not shrink, and what is too small to,
// is stored as it is; a protobuf message never starts with the marker, so
// an unpacked value reads back unchanged; a damaged packed value is an
// error, not bytes.
func TestPackedValues(t *testing.T) {
	batch := historyBatches(t)[0]
	if batch[0] == packedS2[0] {
		t.Fatalf("a history batch starts with %#x, the packed marker's first byte", batch[0])
	}
	p := pack(batch)
	if !bytes.HasPrefix(p, packedS2) || len(p) > len(batch)*3/4 {
		t.Fatalf("packed %d bytes into %d (prefix %x), want the marker and at most three quarters", len(batch), len(p), p[:2])
	}
	if got, err := unpack(p); err != nil || !bytes.Equal(got, batch) {
		t.Fatalf("unpack(pack(batch)) = %d bytes, %v; want the batch", len(got), err)
	}
	random := make([]byte, 1024)
	rand.Read(random)
	for name, b := range map[string][]byte{"random bytes": random, "a small value": batch[:minPacked-1], "an empty value": {}} {
		if p := pack(b); !bytes.Equal(p, b) {
			t.Errorf("%s was packed into %d bytes, want it as it is", name, len(p))
		}
	}
	if got, err := unpack(batch); err != nil || !bytes.Equal(got, batch) {
		t.Errorf("an unpacked batch read back as %d bytes, %v", len(got), err)
	}
	damaged := append([]byte{}, p[:len(p)/2]...)
	if _, err := unpack(damaged); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("unpack of a damaged value: %v, want an error that says so", err)
	}
}

// TestPackColumnsRewrites: the statement forms Temporal's SQLite plugin
// writes and reads the packed columns with are rewritten; statements on
// other tables and columns are left as they are; a packed column used in
// any other form is an error.
func TestPackColumnsRewrites(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`REPLACE INTO history_node (shard_id, node_id, data, data_encoding) VALUES (:shard_id, :node_id, :data, :data_encoding) `,
			`REPLACE INTO history_node (shard_id, node_id, data, data_encoding) VALUES (:shard_id, :node_id, hookflow_pack(:data), :data_encoding) `},
		{`INSERT INTO executions(shard_id, data, data_encoding, state) VALUES(:shard_id, :data, :data_encoding, :state)`,
			`INSERT INTO executions(shard_id, data, data_encoding, state) VALUES(:shard_id, hookflow_pack(:data), :data_encoding, :state)`},
		{"UPDATE executions SET\n next_event_id = :next_event_id, data = :data, data_encoding = :data_encoding WHERE shard_id = :shard_id",
			"UPDATE executions SET\n next_event_id = :next_event_id, data = hookflow_pack(:data), data_encoding = :data_encoding WHERE shard_id = :shard_id"},
		{`SELECT node_id, txn_id, data, data_encoding FROM history_node WHERE shard_id = ? LIMIT ?`,
			`SELECT node_id, txn_id, hookflow_unpack(data) AS data, data_encoding FROM history_node WHERE shard_id = ? LIMIT ?`},
		{"SELECT shard_id, branch_id, data, data_encoding\n        FROM history_tree\n        WHERE (shard_id) > ($1)",
			"SELECT shard_id, branch_id, hookflow_unpack(data) AS data, data_encoding\n        FROM history_tree\n        WHERE (shard_id) > ($1)"},
	} {
		got, err := packColumns(c.in)
		if err != nil || got != c.want {
			t.Errorf("packColumns(%q)\n = %q, %v\nwant %q", c.in, got, err, c.want)
		}
	}
	for _, same := range []string{
		`SELECT ce.run_id, e.last_write_version, ce.data, ce.data_encoding FROM current_executions ce INNER JOIN executions e ON e.run_id = ce.run_id WHERE ce.shard_id = ?`,
		`INSERT INTO current_executions (shard_id, data) VALUES (:shard_id, :data)`,
		`SELECT run_id, memo, memo_encoding FROM executions_visibility WHERE namespace_id = ?`,
		`SELECT node_id, prev_txn_id, txn_id FROM history_node WHERE shard_id = ?`,
		`DELETE FROM history_node WHERE shard_id = ? AND node_id >= ?`,
		`SELECT db_record_version, next_event_id FROM executions WHERE shard_id = ?`,
		`INSERT INTO timer_tasks (shard_id, data) VALUES (:shard_id, :data)`,
	} {
		if got, err := packColumns(same); err != nil || got != same {
			t.Errorf("packColumns(%q) = %q, %v; want it unchanged", same, got, err)
		}
	}
	for _, bad := range []string{
		`SELECT length(data) FROM history_node WHERE shard_id = ?`,
		`SELECT ce.run_id, e.data FROM current_executions ce INNER JOIN executions e ON e.run_id = ce.run_id`,
		`INSERT INTO executions (shard_id, data) VALUES (?, ?)`,
		`UPDATE history_tree SET data = ? WHERE shard_id = ?`,
		`DELETE FROM history_node WHERE data = ?`,
	} {
		if _, err := packColumns(bad); !errors.Is(err, errUnpackedStatement) {
			t.Errorf("packColumns(%q): %v, want errUnpackedStatement", bad, err)
		}
	}
}

// TestTemporalStoresPackedBlobs: through the dev server's plugin, a run's
// history batches, its state and its history tree are stored packed and
// read back as written, compiled and as text, forward and in reverse;
// Temporal's own plugin, reading the same file, sees the packed bytes.
// Rows Temporal's plugin wrote as they are (a database from before) read
// back unchanged through the dev server's.
func TestTemporalStoresPackedBlobs(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	ourFile := filepath.Join(dir, "ours.db")
	ours, ok := openMainDB(t, ourFile, true).(*preparedDB)
	if !ok {
		t.Fatal("the dev server's plugin did not open the file as a *preparedDB")
	}

	f := runFilter("shop/evt-1")
	batches := historyBatches(t)
	batches = append(batches, batches[0])               // a third node
	state, later := batches[1][:900], batches[0][:1200] // a state blob's size, protobuf-like
	tree := bytes.Repeat([]byte("\x0a\x24branch-ancestor-"), 16)
	write := func(db sqlplugin.DB) {
		t.Helper()
		for i, b := range batches {
			if _, err := db.InsertIntoHistoryNode(ctx, &sqlplugin.HistoryNodeRow{ShardID: f.ShardID, TreeID: f.RunID, BranchID: f.RunID, NodeID: int64(1 + 3*i), TxnID: int64(10 + i), Data: b, DataEncoding: "Proto3"}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.InsertIntoExecutions(ctx, &sqlplugin.ExecutionsRow{ShardID: f.ShardID, NamespaceID: f.NamespaceID, WorkflowID: f.WorkflowID, RunID: f.RunID,
			NextEventID: 4, LastWriteVersion: 1, Data: state, DataEncoding: "Proto3", State: []byte("state"), StateEncoding: "Proto3", DBRecordVersion: 1}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.UpdateExecutions(ctx, &sqlplugin.ExecutionsRow{ShardID: f.ShardID, NamespaceID: f.NamespaceID, WorkflowID: f.WorkflowID, RunID: f.RunID,
			NextEventID: 9, LastWriteVersion: 1, Data: later, DataEncoding: "Proto3", State: []byte("state"), StateEncoding: "Proto3", DBRecordVersion: 2}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.InsertIntoHistoryTree(ctx, &sqlplugin.HistoryTreeRow{ShardID: f.ShardID, TreeID: f.RunID, BranchID: f.RunID, Data: tree, DataEncoding: "Proto3"}); err != nil {
			t.Fatal(err)
		}
	}
	// read is what the history service reads back: the batches forward and
	// in reverse, the state, the tree and the page of branches.
	read := func(db sqlplugin.DB) [][]byte {
		t.Helper()
		var out [][]byte
		for _, reverse := range []bool{false, true} {
			rows, err := db.RangeSelectFromHistoryNode(ctx, sqlplugin.HistoryNodeSelectFilter{ShardID: f.ShardID, TreeID: f.RunID, BranchID: f.RunID,
				MinNodeID: 0, MaxNodeID: 100, MaxTxnID: 1 << 62, PageSize: 10, ReverseOrder: reverse})
			if err != nil || len(rows) != len(batches) {
				t.Fatalf("history (reverse %v): %d rows, %v", reverse, len(rows), err)
			}
			for _, r := range rows {
				out = append(out, r.Data)
			}
		}
		exec, err := db.SelectFromExecutions(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		trees, err := db.SelectFromHistoryTree(ctx, sqlplugin.HistoryTreeSelectFilter{ShardID: f.ShardID, TreeID: f.RunID})
		if err != nil || len(trees) != 1 {
			t.Fatalf("history tree: %d rows, %v", len(trees), err)
		}
		page, err := db.PaginateBranchesFromHistoryTree(ctx, sqlplugin.HistoryTreeBranchPage{ShardID: f.ShardID, TreeID: primitives.UUID(make([]byte, 16)), BranchID: primitives.UUID(make([]byte, 16)), Limit: 10})
		if err != nil || len(page) != 1 {
			t.Fatalf("page of branches: %d rows, %v", len(page), err)
		}
		return append(out, exec.Data, trees[0].Data, page[0].Data)
	}
	want := [][]byte{batches[0], batches[1], batches[2], batches[2], batches[1], batches[0], later, tree, tree}
	equal := func(what string, got [][]byte) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
		}
		for i := range want {
			if !bytes.Equal(got[i], want[i]) {
				t.Errorf("%s: value %d is %d bytes (prefix %x), want the %d written", what, i, len(got[i]), got[i][:2], len(want[i]))
			}
		}
	}

	write(ours)
	equal("read through the dev server's plugin", read(ours)) // the first reads compile, the next run compiled
	equal("read compiled", read(ours))

	// In the file: every packed column packed, and about half the size.
	raw, err := openDirect(ourFile)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, table := range []string{"history_node", "executions", "history_tree"} {
		var packedRows, rows, stored, written int
		r, err := raw.Query(`SELECT data FROM ` + table)
		if err != nil {
			t.Fatal(err)
		}
		for r.Next() {
			var b []byte
			if err := r.Scan(&b); err != nil {
				t.Fatal(err)
			}
			rows++
			stored += len(b)
			if bytes.HasPrefix(b, packedS2) {
				packedRows++
				u, _ := unpack(b)
				written += len(u)
			}
		}
		r.Close()
		if rows == 0 || packedRows != rows || stored > written*3/4 {
			t.Errorf("%s: %d of %d rows packed, %d bytes stored for %d written", table, packedRows, rows, stored, written)
		}
	}

	// Temporal's plugin on the same file reads what is stored: the packed bytes.
	temporal := openMainDB(t, ourFile, false)
	if exec, err := temporal.SelectFromExecutions(ctx, f); err != nil || !bytes.HasPrefix(exec.Data, packedS2) {
		t.Errorf("Temporal's plugin read the state as %d bytes (%v), want the packed bytes", len(exec.Data), err)
	}

	// As text (the cache closed: what runs when a statement is not compiled).
	ours.stmts.close()
	equal("read as text", read(ours))

	// A database Temporal's plugin wrote: stored as written, read back unchanged.
	oldFile := filepath.Join(dir, "old.db")
	write(openMainDB(t, oldFile, false))
	equal("a file Temporal's plugin wrote, read through the dev server's", read(openMainDB(t, oldFile, true)))
}

// TestServerKeepsRunsPacked: a dev server stores a run's history and state
// packed, and a server started again on the same file (nothing cached)
// reads them back: the run's input, its state and its whole history.
func TestServerKeepsRunsPacked(t *testing.T) {
	file := filepath.Join(t.TempDir(), "dev.db")
	ctx := context.Background()
	input := map[string]any{"id": "evt-1", "note": strings.Repeat("a paid order for a t-shirt in size M; ", 40)}
	var runID string
	var historyLen int
	for round := range 2 {
		s, err := Start(ctx, Options{UIPort: -1, DBFile: file, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		c, err := client.Dial(client.Options{HostPort: s.Addr(), Logger: quietSDKLogger{}})
		if err != nil {
			s.Stop()
			t.Fatal(err)
		}
		if round == 0 {
			run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "packed/1", TaskQueue: "nobody"}, "Waits", input)
			if err != nil {
				t.Fatal(err)
			}
			runID = run.GetRunID()
			if err := c.SignalWorkflow(ctx, "packed/1", runID, "poke", input); err != nil {
				t.Fatal(err) // a second history batch, and the state written again
			}
		}
		d, err := c.DescribeWorkflowExecution(ctx, "packed/1", runID)
		if err != nil || d.WorkflowExecutionInfo.GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
			t.Fatalf("round %d: describe: %v, %v", round, d.GetWorkflowExecutionInfo().GetStatus(), err)
		}
		var events []*historypb.HistoryEvent
		it := c.GetWorkflowHistory(ctx, "packed/1", runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			e, err := it.Next()
			if err != nil {
				t.Fatalf("round %d: history: %v", round, err)
			}
			events = append(events, e)
		}
		if round == 0 {
			historyLen = len(events)
		}
		var got map[string]any
		if len(events) < 3 || len(events) != historyLen {
			t.Fatalf("round %d: %d history events, want %d (at least 3)", round, len(events), historyLen)
		}
		if err := converter.GetDefaultDataConverter().FromPayloads(events[0].GetWorkflowExecutionStartedEventAttributes().GetInput(), &got); err != nil || got["note"] != input["note"] {
			t.Fatalf("round %d: the run's input read back as %v (%v)", round, got, err)
		}
		if round == 1 {
			if err := c.TerminateWorkflow(ctx, "packed/1", runID, "done"); err != nil {
				t.Fatal(err) // loads the state from the file and writes it again
			}
		}
		c.Close()
		s.Stop()
	}

	raw, err := openDirect(file)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var rows, packedRows int
	if err := raw.QueryRow(`SELECT count(*), sum(substr(data, 1, 2) = x'0001') FROM history_node WHERE length(hookflow_unpack(data)) >= 200`).Scan(&rows, &packedRows); err != nil {
		t.Fatal(err)
	}
	if rows < 2 || packedRows != rows {
		t.Errorf("%d of %d history batches packed, want all (and at least 2)", packedRows, rows)
	}
	var state []byte
	if err := raw.QueryRow(`SELECT data FROM executions WHERE workflow_id = 'packed/1'`).Scan(&state); err != nil || !bytes.HasPrefix(state, packedS2) {
		t.Errorf("the run's state is stored as %x... (%v), want it packed", state[:min(len(state), 4)], err)
	}
}

// BenchmarkPackedColumn is what packing adds to a statement: SQLite calling
// hookflow_pack, and hookflow_unpack on the packed value, for a recorded
// history batch, against the statement returning its argument as it is.
func BenchmarkPackedColumn(b *testing.B) {
	db, err := openDirect(filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	batch := historyBatches(b)[0]
	packedBatch := pack(batch)
	for _, c := range []struct {
		name, query string
		arg         []byte
	}{
		{"as-is", `SELECT ?`, batch},
		{"pack", `SELECT ` + packFunction + `(?)`, batch},
		{"unpack", `SELECT ` + unpackFunction + `(?)`, packedBatch},
	} {
		b.Run(c.name, func(b *testing.B) {
			stmt, err := db.Prepare(c.query)
			if err != nil {
				b.Fatal(err)
			}
			defer stmt.Close()
			var out []byte
			b.SetBytes(int64(len(batch)))
			b.ReportAllocs()
			for b.Loop() {
				if err := stmt.QueryRow(c.arg).Scan(&out); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// replaceHistoryNode is the statement Temporal's plugin writes history
// batches with.
const replaceHistoryNode = `REPLACE INTO history_node (shard_id, tree_id, branch_id, node_id, prev_txn_id, txn_id, data, data_encoding) ` +
	`VALUES (:shard_id, :tree_id, :branch_id, :node_id, :prev_txn_id, :txn_id, :data, :data_encoding)`

// historyNodeRows are historyBatches as the rows of one run's branch.
func historyNodeRows(t *testing.T, f sqlplugin.HistoryNodeSelectFilter) []sqlplugin.HistoryNodeRow {
	t.Helper()
	var rows []sqlplugin.HistoryNodeRow
	for i, b := range historyBatches(t) {
		rows = append(rows, sqlplugin.HistoryNodeRow{ShardID: f.ShardID, TreeID: f.TreeID, BranchID: f.BranchID, NodeID: int64(1 + 3*i), TxnID: -int64(10 + i), Data: b, DataEncoding: "Proto3"})
	}
	return rows
}

// openPreparedFile opens a new database file through the dev server's
// plugin.
func openPreparedFile(t *testing.T) (*preparedDB, string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "dev.db")
	ours, ok := openMainDB(t, file, true).(*preparedDB)
	if !ok {
		t.Fatal("the dev server's plugin did not open the file as a *preparedDB")
	}
	return ours, file
}

// checkHistoryPacked: the plugin reads rows back as written, and every
// history_node row in file is packed.
func checkHistoryPacked(t *testing.T, ours *preparedDB, file string, f sqlplugin.HistoryNodeSelectFilter, rows []sqlplugin.HistoryNodeRow) {
	t.Helper()
	got, err := ours.RangeSelectFromHistoryNode(context.Background(), f)
	if err != nil || len(got) != len(rows) {
		t.Fatalf("read %d rows (%v), want %d", len(got), err, len(rows))
	}
	for i := range got {
		if !bytes.Equal(got[i].Data, rows[i].Data) {
			t.Errorf("row %d read back as %d bytes, want the %d written", i, len(got[i].Data), len(rows[i].Data))
		}
	}
	raw, err := openDirect(file)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var n, packedRows int
	if err := raw.QueryRow(`SELECT count(*), sum(substr(data, 1, 2) = x'0001') FROM history_node`).Scan(&n, &packedRows); err != nil {
		t.Fatal(err)
	}
	if n != len(rows) || packedRows != n {
		t.Errorf("%d of %d rows packed, want all %d", packedRows, n, len(rows))
	}
}

// historyBranch is the filter that reads the rows historyNodeRows writes.
func historyBranch(runID string) sqlplugin.HistoryNodeSelectFilter {
	f := runFilter(runID)
	return sqlplugin.HistoryNodeSelectFilter{ShardID: f.ShardID, TreeID: f.RunID, BranchID: f.RunID, MaxNodeID: 100, PageSize: 10}
}

// TestBatchWritesArePacked: rows written in one statement (sqlx expands
// the VALUES group of a named statement for a slice, and the cache runs
// such a statement as text) are packed like single rows, and read back.
func TestBatchWritesArePacked(t *testing.T) {
	ours, file := openPreparedFile(t)
	f := historyBranch("shop/batch")
	rows := historyNodeRows(t, f)
	if _, err := (*temporalConn(ours.DB)).NamedExecContext(context.Background(), replaceHistoryNode, rows); err != nil {
		t.Fatal(err)
	}
	checkHistoryPacked(t, ours, file, f, rows)
}

// TestPreparedNamedWritesArePacked: a named statement prepared on the
// plugin's connection (Temporal's MySQL and PostgreSQL plugins prepare
// theirs; its SQLite one does not yet) is rewritten like one the
// connection runs, and one in a form the dev server does not rewrite is
// refused.
func TestPreparedNamedWritesArePacked(t *testing.T) {
	ctx := context.Background()
	ours, file := openPreparedFile(t)
	f := historyBranch("shop/prepared")
	rows := historyNodeRows(t, f)
	conn := *temporalConn(ours.DB)
	stmt, err := conn.PrepareNamedContext(ctx, replaceHistoryNode)
	if err != nil {
		t.Fatal(err)
	}
	defer stmt.Close()
	for _, r := range rows {
		if _, err := stmt.ExecContext(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	checkHistoryPacked(t, ours, file, f, rows)
	if _, err := conn.PrepareNamedContext(ctx, `SELECT length(data) FROM history_node WHERE shard_id = :shard_id`); !errors.Is(err, errUnpackedStatement) {
		t.Errorf("preparing a read of a packed column's length: %v, want errUnpackedStatement", err)
	}
}
