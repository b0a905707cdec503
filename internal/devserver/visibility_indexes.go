package devserver

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
)

// Temporal's SQLite visibility table carries 58 indexes, one per column an
// operator might list runs by: history length and size, parent and root
// runs, schedules, worker deployments, and every pre-allocated custom
// search attribute column. Every run's close writes its row into all of
// them, and on the embedded server that was a third of the CPU a run cost.
// The embedded server keeps the default order (the Web UI's newest-first
// list), the workflow id, the status (the Web UI's filter and the
// dashboard's failed runs), and the column of each registered search
// attribute except those Options.Unindexed names (hookflow's trigger, event
// type and rules version: a handful of values each, which narrowed a
// listing little and cost each write as much as any other index; listing
// by them reads the default order and filters it). The status index, and
// those of Options.RareValues, hold only the runs with a rare value
// (failed, running, …), not the one most runs end with: listing failed
// runs reads a small index, listing completed ones the default order,
// nearly all of which matches.
// BenchmarkRunListClose: 1.26 ms per write with 11 indexes, 0.84–1.09 with
// 4, 0.96–1.25 with these 6; 0.95–1.11 oldest first with the status
// indexes partial (Temporal's 58: 3.79–3.94 in the same run). A query on
// any column still works.
//
// keptIndexes maps each kept index to the columns it leads with, after
// the namespace, and the runs it holds (all, or a WHERE clause).
var keptIndexes = map[string]struct{ columns, where string }{
	"default_idx":    {"", ""},
	"by_workflow_id": {"workflow_id, ", ""},
	"by_status":      {"status, ", rareStatuses()},
}

// customColumn matches a pre-allocated custom search attribute column and
// gives its index name: Keyword05 → by_keyword_05.
var customColumn = regexp.MustCompile(`^(Bool|Datetime|Double|Int|Keyword)(\d\d)$`)

// trimVisibilityIndexes applies planVisibilityIndexes to the run list's
// file, with namespace's search attributes as c reads them: one registered
// after the file was made gets its index on the next start.
func trimVisibilityIndexes(ctx context.Context, c client.Client, namespace, dbFile string, indexing columnIndexing) error {
	ns, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: namespace})
	if err != nil {
		return fmt.Errorf("describe namespace %s: %w", namespace, err)
	}
	db, err := openDirect(dbFile)
	if err != nil {
		return err
	}
	defer db.Close()
	existing, err := visibilityIndexes(ctx, db)
	if err != nil {
		return err
	}
	drop, create := planVisibilityIndexes(existing, ns.GetConfig().GetCustomSearchAttributeAliases(), indexing)
	return applyVisibilityIndexes(ctx, db, drop, create)
}

// applyVisibilityIndexes drops the indexes named in drop, then runs the
// create statements.
func applyVisibilityIndexes(ctx context.Context, db *sql.DB, drop, create []string) error {
	for _, name := range drop {
		if _, err := db.ExecContext(ctx, "DROP INDEX IF EXISTS "+name); err != nil {
			return fmt.Errorf("drop visibility index %s: %w", name, err)
		}
	}
	for _, stmt := range create {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("index search attribute column: %s: %w", stmt, err)
		}
	}
	return nil
}

// runListOrder ends each index the run list keeps: closed runs oldest
// first (running ones last), which SQLite reads backwards for Temporal's
// ORDER BY COALESCE(close_time, …) DESC, start_time DESC, run_id without a
// sort. Temporal's own indexes store that order as it is read, newest
// first, so every close inserted its entry at the index's left edge, where
// a full page splits in two halves that stay half empty: default_idx and
// the status and HookStatus indexes were 50% unused space, 0.45 KB per
// run. Oldest first, a close appends at the right edge, where SQLite fills
// pages: 10–13% unused (TestRunListIndexesFillTheirPages).
const runListOrder = `(COALESCE(close_time, '9999-12-31 23:59:59+00:00')), start_time, run_id DESC`

// columnIndexing names the search attributes whose columns get no index
// (unindexed) and those whose index holds only the runs with one of a few
// rare values (rare: name → values).
type columnIndexing struct {
	unindexed []string
	rare      map[string][]string
}

// planVisibilityIndexes lists, given the run list's indexes (name → SQL),
// the namespace's search attributes (column → name) and how to index
// them, the indexes to drop and the statements that create the
// missing ones: an index whose SQL differs from the one wanted (Temporal's
// own, or one an older hookflow made) is dropped and made again. A search
// attribute's index holds only the runs that set it: most runs set no
// correlation key, and a project's attributes belong to some triggers
// only. A query for a value (=, <, >, …) implies the column is set, so
// SQLite uses the partial index for it.
func planVisibilityIndexes(existing map[string]string, aliases map[string]string, indexing columnIndexing) (drop, create []string) {
	want := wantedVisibilityIndexes(aliases, indexing)
	for name, stmt := range existing {
		if want[name] != stmt {
			drop = append(drop, name)
		}
	}
	for name, stmt := range want {
		if existing[name] != stmt {
			create = append(create, stmt)
		}
	}
	slices.Sort(drop)
	slices.Sort(create)
	return drop, create
}

// wantedVisibilityIndexes maps the indexes the run list keeps to their SQL
// as SQLite stores it: the kept ones, and one per registered search
// attribute's column but those indexing leaves unindexed.
func wantedVisibilityIndexes(aliases map[string]string, indexing columnIndexing) map[string]string {
	index := func(name, columns, where string) string {
		return strings.TrimSpace("CREATE INDEX " + name + " ON executions_visibility (namespace_id, " + columns + runListOrder + ") " + where)
	}
	want := map[string]string{}
	for name, kept := range keptIndexes {
		want[name] = index(name, kept.columns, kept.where)
	}
	for field, name := range aliases {
		m := customColumn.FindStringSubmatch(field)
		if m == nil || slices.Contains(indexing.unindexed, name) {
			continue
		}
		where := partialClause(field)
		if values, ok := indexing.rare[name]; ok {
			where = valuesClause(field, values)
		}
		indexName := customIndexName(m[1], m[2])
		want[indexName] = index(indexName, field+", ", where)
	}
	return want
}

// partialClause holds the runs that set column: a query for a value
// (=, <, >, …) implies it, so SQLite uses the index.
func partialClause(column string) string { return "WHERE " + column + " IS NOT NULL" }

// valuesClause holds the runs whose column has one of values. It is an OR
// of equalities, not an IN list: SQLite uses a partial index for a query
// whose terms imply its WHERE clause, and it proves that a term (Keyword01
// = 'failed', as Temporal writes the query) implies an OR of terms that
// contains it, not an IN list.
func valuesClause(column string, values []string) string {
	terms := make([]string, len(values))
	for i, v := range slices.Sorted(slices.Values(values)) {
		terms[i] = column + " = '" + strings.ReplaceAll(v, "'", "''") + "'"
	}
	return "WHERE " + strings.Join(terms, " OR ")
}

// rareStatuses is by_status's WHERE clause: every status but completed,
// as the numbers Temporal stores and queries (status = 3 for Failed).
func rareStatuses() string {
	var terms []string
	for _, n := range slices.Sorted(maps.Keys(enumspb.WorkflowExecutionStatus_name)) {
		if s := enumspb.WorkflowExecutionStatus(n); s != enumspb.WORKFLOW_EXECUTION_STATUS_UNSPECIFIED && s != enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED {
			terms = append(terms, "status = "+strconv.Itoa(int(n)))
		}
	}
	return "WHERE " + strings.Join(terms, " OR ")
}

// visibilityIndexes maps the run list's indexes to their SQL.
func visibilityIndexes(ctx context.Context, db *sql.DB) (map[string]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'executions_visibility' AND sql IS NOT NULL`)
	if err != nil {
		return nil, fmt.Errorf("list visibility indexes: %w", err)
	}
	defer rows.Close()
	indexes := map[string]string{}
	for rows.Next() {
		var name, stmt string
		if err := rows.Scan(&name, &stmt); err != nil {
			return nil, err
		}
		indexes[name] = stmt
	}
	return indexes, rows.Err()
}

// customIndexName is Temporal's name for a custom column's index:
// (Keyword, 05) → by_keyword_05.
func customIndexName(kind, n string) string { return "by_" + strings.ToLower(kind) + "_" + n }
