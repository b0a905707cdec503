package devserver

import (
	"context"
	"database/sql"
	"fmt"

	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/metrics"
	persistencesql "go.temporal.io/server/common/persistence/sql"
	"go.temporal.io/server/common/persistence/sql/sqlplugin"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/resolver"
)

// preparedPlugin is Temporal's SQLite plugin with a statement cache in the
// place where it runs its statements (statement_cache.go): every statement
// Temporal runs on the dev server's databases is compiled once, and those
// that write or read a run's history and state keep it compressed
// (packed_columns.go), on libc heap pages that stay mapped
// (sqlite_heap.go). Runs closing together write their run-list rows
// with one statement (run_list_batches.go). Each write of a run's history
// and state is one transaction (one_transaction.go).

// preparedPluginName is the plugin the server's stores name.
const preparedPluginName = "sqlite-hookflow"

func init() {
	persistencesql.RegisterPlugin(preparedPluginName, preparedPlugin{})
}

// preparedStore is conf as the server opens it: through preparedPlugin.
// Schema set-up and the index plan use conf itself.
func preparedStore(conf *config.SQL) *config.SQL {
	c := *conf
	c.PluginName = preparedPluginName
	return &c
}

type preparedPlugin struct{}

// GetVisibilityQueryConverter is Temporal's SQLite converter: the run list
// is queried as Temporal queries it.
func (preparedPlugin) GetVisibilityQueryConverter() sqlplugin.VisibilityQueryConverter {
	c, err := persistencesql.GetPluginVisibilityQueryConverter(sqliteplugin.PluginName)
	if err != nil { // Temporal's plugin is linked in with the server
		panic(err)
	}
	return c
}

// CreateDB opens the database with Temporal's plugin and puts the cache in
// it. The result serves as a DB (the server) and as an AdminDB (its
// schema-version check at start), as Temporal's does.
func (preparedPlugin) CreateDB(kind sqlplugin.DbKind, cfg *config.SQL, r resolver.ServiceResolver, logger log.Logger, mh metrics.Handler) (sqlplugin.GenericDB, error) {
	pinHeapPages()
	inner := *cfg
	inner.PluginName = sqliteplugin.PluginName
	db, err := persistencesql.NewSQLDB(kind, &inner, r, logger, mh)
	if err != nil {
		return nil, err
	}
	admin, ok := db.(sqlplugin.AdminDB)
	if !ok {
		db.Close()
		return nil, fmt.Errorf("%s: Temporal's SQLite plugin has no admin operations", preparedPluginName)
	}
	p := &preparedDB{DB: db, AdminDB: admin, stmts: useStatementCache(db)}
	if p.stmts == nil {
		db.Close()
		return nil, fmt.Errorf("%s: Temporal's SQLite plugin no longer keeps its connection in the field the dev server runs its statements through "+
			"(conn, a sqlplugin.Conn), so it could not read the histories it stores compressed: this hookflow was built with a Temporal server it does not support", preparedPluginName)
	}
	p.stmts.joinsWrites = kind == sqlplugin.DbKindMain
	p.runList = &runListBatches{one: db.ReplaceIntoVisibility, stmts: p.stmts}
	return p, nil
}

// preparedDB is Temporal's database with the statement cache in it.
type preparedDB struct {
	sqlplugin.DB
	sqlplugin.AdminDB // the same value as DB
	stmts             *statementCache
	runList           *runListBatches
}

func (d *preparedDB) DbName() string     { return d.DB.DbName() }
func (d *preparedDB) PluginName() string { return d.DB.PluginName() } // "sqlite": the stores pick their SQL dialect by it

// ReplaceIntoVisibility writes a run's row into the run list, with one
// statement for the rows of runs closing at the same time.
func (d *preparedDB) ReplaceIntoVisibility(ctx context.Context, row *sqlplugin.VisibilityRow) (sql.Result, error) {
	return d.runList.replace(ctx, row)
}

// BeginTx begins Temporal's transaction with the cache in it; inside a
// write of a run's history and state it returns the write's transaction
// (one_transaction.go).
func (d *preparedDB) BeginTx(ctx context.Context) (sqlplugin.Tx, error) {
	if w := writeIn(ctx, d.stmts); w != nil {
		return w.transaction(ctx, d.stmts)
	}
	return d.stmts.beginTx(ctx, d.DB)
}

func (d *preparedDB) Close() error {
	d.stmts.close()
	return d.DB.Close()
}
