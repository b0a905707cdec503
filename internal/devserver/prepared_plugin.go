package devserver

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/iancoleman/strcase"
	"github.com/jmoiron/sqlx"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/metrics"
	persistencesql "go.temporal.io/server/common/persistence/sql"
	"go.temporal.io/server/common/persistence/sql/sqlplugin"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/resolver"
)

// Temporal's SQLite plugin compiles every statement each time it runs it
// (modernc.org/sqlite keeps no statement cache, and the plugin runs its SQL
// on the connection): compiling was a sixth of the dev server's CPU under
// load. preparedPlugin is Temporal's plugin with the statements a webhook
// run costs most moved to a second connection to the same file, where each
// is compiled once: the run list's writes (visibility_writes.go) and the
// reads that load a run's state (execution_reads.go). Everything else,
// every transaction included, stays on Temporal's connection.
//
// Only files use it: a second connection to an in-memory database shares
// its cache, and with it table locks that the two connections would wait
// on.

// preparedPluginName is the plugin the server's file-backed stores name.
const preparedPluginName = "sqlite-hookflow"

func init() {
	persistencesql.RegisterPlugin(preparedPluginName, preparedPlugin{})
}

// preparedStore is conf as the server opens it: through preparedPlugin
// when it is a file. Schema set-up and the index plan use conf itself.
func preparedStore(conf *config.SQL) *config.SQL {
	if conf.ConnectAttributes["mode"] == "memory" {
		return conf
	}
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

// CreateDB opens the database with Temporal's plugin and the second
// connection beside it. The result serves as a DB (the server) and as an
// AdminDB (its schema-version check at start), as Temporal's does.
func (preparedPlugin) CreateDB(kind sqlplugin.DbKind, cfg *config.SQL, r resolver.ServiceResolver, logger log.Logger, mh metrics.Handler) (sqlplugin.GenericDB, error) {
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
	c, err := preparedConns.open(&inner)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", cfg.DatabaseName, err)
	}
	p := preparedDB{DB: db, AdminDB: admin, conn: c}
	if kind == sqlplugin.DbKindVisibility {
		return &preparedRunListDB{p}, nil
	}
	return &preparedExecutionDB{p}, nil
}

// preparedDB is Temporal's database and the second connection.
type preparedDB struct {
	sqlplugin.DB
	sqlplugin.AdminDB // the same value as DB
	conn              *preparedConn
}

func (d *preparedDB) DbName() string     { return d.DB.DbName() }
func (d *preparedDB) PluginName() string { return d.DB.PluginName() } // "sqlite": the stores pick their SQL dialect by it

func (d *preparedDB) Close() error {
	d.conn.release()
	return d.DB.Close()
}

// preparedConn is a file's second connection and the statements compiled
// on it, shared by every store the server opens on the file (as Temporal's
// plugin shares its connection).
type preparedConn struct {
	key  string
	refs int // guarded by preparedConns.mu
	db   *sqlx.DB

	mu    sync.Mutex
	named map[string]*sqlx.NamedStmt
	plain map[string]*sqlx.Stmt
}

type connPool struct {
	mu    sync.Mutex
	conns map[string]*preparedConn
}

var preparedConns = &connPool{conns: map[string]*preparedConn{}}

func (p *connPool) open(cfg *config.SQL) (*preparedConn, error) {
	dsn := sqliteDSN(cfg)
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.conns[dsn]; ok {
		c.refs++
		return c, nil
	}
	db, err := sqlx.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	// One connection keeps the statements compiled on it; SQLite allows
	// one writer at a time anyway.
	db.SetMaxOpenConns(1)          // kept open: database/sql closes no idle connection by default
	db.MapperFunc(strcase.ToSnake) // the column names Temporal's plugin maps rows by
	c := &preparedConn{key: dsn, refs: 1, db: db, named: map[string]*sqlx.NamedStmt{}, plain: map[string]*sqlx.Stmt{}}
	p.conns[dsn] = c
	return c, nil
}

func (c *preparedConn) release() {
	p := preparedConns
	p.mu.Lock()
	defer p.mu.Unlock()
	if c.refs--; c.refs > 0 {
		return
	}
	delete(p.conns, c.key)
	c.db.Close() // and the statements
}

// namedStmt is query, with :name parameters, compiled on the connection
// the first time it is asked for.
func (c *preparedConn) namedStmt(ctx context.Context, query string) (*sqlx.NamedStmt, error) {
	return compiled(c, c.named, query, func() (*sqlx.NamedStmt, error) { return c.db.PrepareNamedContext(ctx, query) })
}

// stmt is query, with ? parameters, compiled on the connection the first
// time it is asked for.
func (c *preparedConn) stmt(ctx context.Context, query string) (*sqlx.Stmt, error) {
	return compiled(c, c.plain, query, func() (*sqlx.Stmt, error) { return c.db.PreparexContext(ctx, query) })
}

func compiled[S any](c *preparedConn, cache map[string]S, query string, prepare func() (S, error)) (S, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := cache[query]; ok {
		return s, nil
	}
	s, err := prepare()
	if err == nil {
		cache[query] = s
	}
	return s, err
}

// sqliteDSN is the data source name Temporal's plugin opens cfg with:
// SQLite's URI parameters as they are, every other attribute a pragma,
// and times stored as SQLite's text.
func sqliteDSN(cfg *config.SQL) string {
	uriParams := []string{"cache", "immutable", "mode", "modeof", "nolock", "psow", "setup", "vfs"}
	v := url.Values{}
	keys := make([]string, 0, len(cfg.ConnectAttributes))
	for k := range cfg.ConnectAttributes {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		key, value := strings.TrimSpace(k), strings.TrimSpace(cfg.ConnectAttributes[k])
		if slices.Contains(uriParams, key) {
			v.Set(key, value)
		} else {
			v.Add("_pragma", key+"="+value)
		}
	}
	v.Add("_time_format", "sqlite")
	return "file:" + cfg.DatabaseName + "?" + v.Encode()
}
