package devserver

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"go.temporal.io/server/common/config"

	"github.com/hookflow/hookflow/internal/devdb"
)

// The embedded server keeps its run list (Temporal's visibility store) in a
// database of its own beside the main one: dev.db and dev.visibility.db.
// Temporal's SQLite plugin gives each database one connection, and with one
// file every run-list write, a quarter of the CPU a run cost, queued for the
// connection the history service needed to start and finish runs. With two,
// neither waits for the other: hookbench delivered 7% more events per second
// at 2% less CPU per event (README → Performance).

// visibilitySQLConfig is the run list's database: a second in-memory
// database, or the file beside the main one, created when missing or empty.
func (o *Options) visibilitySQLConfig(main *config.SQL) (*config.SQL, error) {
	if o.DBFile == "" {
		return memorySQLConfig(main.DatabaseName + "-visibility"), nil
	}
	conf := fileSQLConfig(devdb.VisibilityFile(o.DBFile))
	if err := ensureDatabase(conf); err != nil {
		return nil, err
	}
	return conf, nil
}

// moveRunList moves the run list an older hookflow kept in the main file to
// the run list's own file. It copies, then deletes, each in a transaction
// of its own: a crash between the two leaves rows in both files, and the
// next start copies again (skipping those already there) and deletes.
func moveRunList(mainFile, visFile string) error {
	ctx := context.Background()
	db, err := openDirect(visFile)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // ATTACH holds for one connection
	if _, err := db.ExecContext(ctx, "ATTACH DATABASE ? AS old", mainFile); err != nil {
		return err
	}
	var found bool
	if err := db.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM old.executions_visibility)").Scan(&found); err != nil || !found {
		return err
	}
	if err := copyRunList(ctx, db, "old", "main"); err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, "DELETE FROM old.executions_visibility"); err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, "DETACH DATABASE old")
	return err
}

// copyRunList copies the run-list rows of the attached schema from into
// schema to, the columns both tables store (not the generated ones, which
// SQLite computes from them), skipping runs already there; the triggers of
// to fill its search tables.
func copyRunList(ctx context.Context, db *sql.DB, from, to string) error {
	fromCols, err := storedColumns(ctx, db, from)
	if err != nil {
		return err
	}
	toCols, err := storedColumns(ctx, db, to)
	if err != nil {
		return err
	}
	var cols []string
	for c := range fromCols {
		if toCols[c] {
			cols = append(cols, c)
		}
	}
	slices.Sort(cols)
	list := strings.Join(cols, ", ")
	_, err = db.ExecContext(ctx, "INSERT OR IGNORE INTO "+to+".executions_visibility ("+list+") SELECT "+list+" FROM "+from+".executions_visibility")
	return err
}

// storedColumns lists the columns of schema's run-list table that hold
// data: not the generated ones, which SQLite computes from them.
func storedColumns(ctx context.Context, db *sql.DB, schema string) (map[string]bool, error) {
	rows, err := db.QueryContext(ctx, "SELECT name, hidden FROM pragma_table_xinfo('executions_visibility', ?)", schema)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols := map[string]bool{}
	for rows.Next() {
		var name string
		var hidden int
		if err := rows.Scan(&name, &hidden); err != nil {
			return nil, err
		}
		if hidden == 0 { // 2 and 3 are generated columns
			cols[name] = true
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("%s has no run-list table", schema)
	}
	return cols, nil
}
