package devserver

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
)

// Temporal's SQLite visibility table carries 58 indexes, one per column an
// operator might list runs by: history length and size, parent and root
// runs, schedules, worker deployments, and every pre-allocated custom
// search attribute column. Every run's close writes its row into all of
// them, and on the embedded server that was a third of the CPU a run cost.
// The embedded server keeps the default order (newest first), the workflow
// id and the status (the Web UI's filter and the dashboard's failed runs:
// a rare value, newest first), and the column of each registered search
// attribute except those Options.Unindexed names (hookflow's trigger, event
// type and rules version: a handful of values each, which narrowed a
// listing little and cost each write as much as any other index; listing
// by them reads the default order and filters it).
// BenchmarkRunListClose: 1.26 ms per write with 11 indexes, 0.84–1.09 with
// 4, 0.96–1.25 with these 6. A query on any column still works.
var keptIndexes = []string{"default_idx", "by_workflow_id", "by_status"}

// customColumn matches a pre-allocated custom search attribute column and
// gives its index name: Keyword05 → by_keyword_05.
var customColumn = regexp.MustCompile(`^(Bool|Datetime|Double|Int|Keyword)(\d\d)$`)

// trimVisibilityIndexes applies planVisibilityIndexes to the run list's
// file, with namespace's search attributes as c reads them: one registered
// after the file was made gets its index on the next start.
func trimVisibilityIndexes(ctx context.Context, c client.Client, namespace, dbFile string, unindexed []string) error {
	ns, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: namespace})
	if err != nil {
		return fmt.Errorf("describe namespace %s: %w", namespace, err)
	}
	db, err := sql.Open("sqlite", "file:"+dbFile+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer db.Close()
	existing, err := visibilityIndexes(ctx, db)
	if err != nil {
		return err
	}
	drop, create := planVisibilityIndexes(existing, ns.GetConfig().GetCustomSearchAttributeAliases(), unindexed)
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

// planVisibilityIndexes lists, given the run list's indexes (name → SQL),
// the namespace's search attributes (column → name) and those to leave
// unindexed, the indexes to drop and the statements that create the
// missing ones. A search attribute's index holds only the runs that set
// it: most runs set no correlation key, and a project's attributes belong
// to some triggers only. A query for a value (=, <, >, …) implies the
// column is set, so SQLite uses the partial index for it.
func planVisibilityIndexes(existing map[string]string, aliases map[string]string, unindexed []string) (drop, create []string) {
	indexed := map[string]bool{} // columns that keep (or get) an index
	for field, name := range aliases {
		if customColumn.MatchString(field) && !slices.Contains(unindexed, name) {
			indexed[field] = true
		}
	}
	for name, stmt := range existing {
		column := indexColumn(name)
		switch {
		case slices.Contains(keptIndexes, name):
		case indexed[column] && strings.Contains(stmt, partialClause(column)):
		default: // not kept, or made before indexes were partial
			drop = append(drop, name)
		}
	}
	for field := range indexed {
		m := customColumn.FindStringSubmatch(field)
		create = append(create, fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s ON executions_visibility (namespace_id, %s, (COALESCE(close_time, '9999-12-31 23:59:59+00:00')) DESC, start_time DESC, run_id) %s`,
			customIndexName(m[1], m[2]), field, partialClause(field)))
	}
	slices.Sort(drop)
	slices.Sort(create)
	return drop, create
}

func partialClause(column string) string { return "WHERE " + column + " IS NOT NULL" }

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

var customIndex = regexp.MustCompile(`^by_(bool|datetime|double|int|keyword)_(\d\d)$`)

// indexColumn is the custom column an index covers: by_keyword_05 →
// Keyword05; "" for the others.
func indexColumn(name string) string {
	m := customIndex.FindStringSubmatch(name)
	if m == nil {
		return ""
	}
	return strings.ToUpper(m[1][:1]) + m[1][1:] + m[2]
}
