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
// search attribute column. Every run's start and close rewrites a row in all
// of them, and on the embedded server that was a third of the CPU a run
// cost. The embedded server keeps the indexes hookflow and the Web UI list
// by — the default order, workflow id and type, status, start time — and
// those of the columns a registered search attribute maps to; a query on
// any other column still works, by scanning.
var keptIndexes = []string{"default_idx", "by_workflow_id", "by_workflow_type", "by_status", "by_execution_time"}

// customColumn matches a pre-allocated custom search attribute column and
// gives its index name: Keyword05 → by_keyword_05.
var customColumn = regexp.MustCompile(`^(Bool|Datetime|Double|Int|Keyword)(\d\d)$`)

// trimVisibilityIndexes drops the visibility indexes no query of hookflow's
// uses and creates the index of each custom column a search attribute maps
// to (an attribute registered after the database was made).
func (s *Server) trimVisibilityIndexes(ctx context.Context, dbFile string) error {
	c, err := client.Dial(client.Options{HostPort: s.addr, Namespace: s.namespace, Logger: quietSDKLogger{}})
	if err != nil {
		return fmt.Errorf("connect to embedded temporal: %w", err)
	}
	defer c.Close()
	ns, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: s.namespace})
	if err != nil {
		return fmt.Errorf("describe namespace %s: %w", s.namespace, err)
	}
	mapped := map[string]bool{}
	for field := range ns.GetConfig().GetCustomSearchAttributeAliases() {
		mapped[field] = true
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
	for _, name := range existing {
		if !slices.Contains(keptIndexes, name) && !mapped[indexColumn(name)] {
			if _, err := db.ExecContext(ctx, "DROP INDEX IF EXISTS "+name); err != nil {
				return fmt.Errorf("drop visibility index %s: %w", name, err)
			}
		}
	}
	for field := range mapped { // each statement stands alone: the order does not matter
		m := customColumn.FindStringSubmatch(field)
		if m == nil {
			continue // Text and KeywordList columns are searched through FTS tables
		}
		stmt := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s ON executions_visibility (namespace_id, %s, (COALESCE(close_time, '9999-12-31 23:59:59+00:00')) DESC, start_time DESC, run_id)`,
			customIndexName(m[1], m[2]), field)
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("index search attribute column %s: %w", field, err)
		}
	}
	return nil
}

func visibilityIndexes(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'executions_visibility' AND sql IS NOT NULL`)
	if err != nil {
		return nil, fmt.Errorf("list visibility indexes: %w", err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		names = append(names, n)
	}
	return names, rows.Err()
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
