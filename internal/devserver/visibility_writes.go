package devserver

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/server/common/persistence/sql/sqlplugin"
)

// preparedRunListDB writes the run list, one row per run, with statements
// compiled once (prepared_plugin.go). Through Temporal's plugin a close
// took a millisecond of CPU, nearly all of it compiling the upsert, with
// its ~55 generated columns, its indexes and the triggers of the search
// tables; a quarter of that now (BenchmarkRunListClose). The run list's
// reads stay on Temporal's connection, and no longer wait behind writes.
type preparedRunListDB struct{ preparedDB }

func (d *preparedRunListDB) InsertIntoVisibility(ctx context.Context, row *sqlplugin.VisibilityRow) (sql.Result, error) {
	return d.exec(ctx, runListInsert, rowForDB(row))
}

func (d *preparedRunListDB) ReplaceIntoVisibility(ctx context.Context, row *sqlplugin.VisibilityRow) (sql.Result, error) {
	return d.exec(ctx, runListUpsert, rowForDB(row))
}

func (d *preparedRunListDB) DeleteFromVisibility(ctx context.Context, filter sqlplugin.VisibilityDeleteFilter) (sql.Result, error) {
	return d.exec(ctx, runListDelete, filter)
}

func (d *preparedRunListDB) exec(ctx context.Context, query string, arg any) (sql.Result, error) {
	s, err := d.conn.namedStmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return s.ExecContext(ctx, arg)
}

// The statements are Temporal's SQLite plugin's (sqlite/visibility.go),
// built from the same exported column list, so a column Temporal adds is
// written here too. TestRunListWritesMatchTemporal compares the rows and
// search tables both write.
var (
	runListInsert = fmt.Sprintf(`INSERT INTO executions_visibility (%s) VALUES (%s) ON CONFLICT (namespace_id, run_id) DO NOTHING`,
		strings.Join(sqlplugin.DbFields, ", "), sqlplugin.BuildNamedPlaceholder(sqlplugin.DbFields...))
	runListUpsert = fmt.Sprintf(`INSERT INTO executions_visibility (%s) VALUES (%s) ON CONFLICT (namespace_id, run_id) DO UPDATE SET %s WHERE executions_visibility.%s < EXCLUDED.%s`,
		strings.Join(sqlplugin.DbFields, ", "), sqlplugin.BuildNamedPlaceholder(sqlplugin.DbFields...),
		excludedAssignments(sqlplugin.DbFields), sqlplugin.VersionColumnName, sqlplugin.VersionColumnName)
	runListDelete = `DELETE FROM executions_visibility WHERE namespace_id = :namespace_id AND run_id = :run_id`
)

func excludedAssignments(fields []string) string {
	items := make([]string, len(fields))
	for i, f := range fields {
		items[i] = f + " = excluded." + f
	}
	return strings.Join(items, ", ")
}

// keywordListSeparator joins a keyword list's values in the row, as
// Temporal's plugin does (its search table splits on it).
const keywordListSeparator = "♡"

// sqliteMinTime is what Temporal's plugin stores for a zero time.
var sqliteMinTime = time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC)

func sqliteTime(t time.Time) time.Time {
	if t.IsZero() {
		return sqliteMinTime
	}
	return t.UTC().Truncate(time.Microsecond)
}

// rowForDB is row as Temporal's plugin stores it: times in UTC to the
// microsecond, keyword lists joined, times among the search attributes as
// RFC 3339 text. row is not changed.
func rowForDB(row *sqlplugin.VisibilityRow) *sqlplugin.VisibilityRow {
	r := *row
	r.StartTime = sqliteTime(r.StartTime)
	r.ExecutionTime = sqliteTime(r.ExecutionTime)
	if r.CloseTime != nil {
		t := sqliteTime(*r.CloseTime)
		r.CloseTime = &t
	}
	if r.SearchAttributes != nil {
		attrs := make(sqlplugin.VisibilitySearchAttributes, len(*r.SearchAttributes))
		for name, value := range *r.SearchAttributes {
			switch v := value.(type) {
			case []string:
				attrs[name] = strings.Join(v, keywordListSeparator)
			case time.Time:
				attrs[name] = v.Format(time.RFC3339Nano)
			default:
				attrs[name] = v
			}
		}
		r.SearchAttributes = &attrs
	}
	return &r
}
