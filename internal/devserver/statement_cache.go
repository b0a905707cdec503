package devserver

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/jmoiron/sqlx"
	"go.temporal.io/server/common/persistence/sql/sqlplugin"
)

// Temporal's SQLite plugin runs every statement as text on its connection,
// and modernc.org/sqlite compiles each one anew: compiling was a sixth of
// the dev server's CPU. The plugin runs all of them through one value, the
// sqlplugin.Conn in its database (the connection pool) and in each
// transaction it begins. The dev server puts a statement cache in that
// place: each statement is compiled once on Temporal's connection and run
// from then on by its compiled form, inside transactions too (database/sql
// reuses a statement compiled on the transaction's connection). The SQL
// and the rows stay Temporal's, and so do the transactions, but that each
// write of a run's history and state runs in one (one_transaction.go).
//
// The field is unexported; useStatementCache finds it by name and type.
// The same place rewrites the statements that write and read the columns
// the dev server keeps compressed (packed_columns.go) and bounds the
// scheduled-task reads (bounded_task_reads.go), so a Temporal whose
// plugin has no such field cannot run the dev server: it fails to start,
// and TestTemporalRunsCompiledStatements fails.

// compiledRuns counts the statements run compiled, inside transactions and
// outside them, and openCaches the caches not yet closed: what the tests
// check the server by.
var (
	compiledRuns struct{ tx, plain atomic.Int64 }
	openCaches   atomic.Int64
)

// maxCachedStatements bounds a cache. Temporal's statements are a fixed set
// but for the IN lists of some deletes, whose text grows with the list;
// what does not fit is run uncompiled, as the plugin runs it.
const maxCachedStatements = 512

// temporalConn is the address of the connection Temporal's SQLite plugin
// runs db's statements on, or nil when db has no such field.
func temporalConn(db any) *sqlplugin.Conn {
	v := reflect.ValueOf(db)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return nil
	}
	f := v.Elem().FieldByName("conn")
	if !f.IsValid() || f.Type() != reflect.TypeFor[sqlplugin.Conn]() {
		return nil
	}
	return (*sqlplugin.Conn)(unsafe.Pointer(f.UnsafeAddr()))
}

// temporalConnAs is temporalConn(x) and the connection in it as a T; ok is
// false when x has no such field or the field holds something else.
func temporalConnAs[T any](x any) (conn *sqlplugin.Conn, c T, ok bool) {
	if conn = temporalConn(x); conn == nil {
		return nil, c, false
	}
	c, ok = (*conn).(T)
	return conn, c, ok
}

// useStatementCache puts a statement cache in db's connection (db is what
// Temporal's plugin returned) and returns it, or nil when the plugin's
// shape is not the one expected. It must run before db is shared.
func useStatementCache(db sqlplugin.DB) *statementCache {
	conn, pool, ok := temporalConnAs[*sqlx.DB](db)
	if !ok {
		return nil
	}
	c := &statementCache{db: pool, temporal: db, plain: map[string]*sqlx.Stmt{}, named: map[string]*sqlx.NamedStmt{}, wanted: map[cacheKey]bool{}}
	*conn = cachedConn{Conn: pool, cache: c}
	openCaches.Add(1)
	return c
}

// beginTx begins a transaction through Temporal's plugin and puts the cache
// in it. Statements first met inside a transaction are compiled here, before
// it begins: Temporal's one connection is busy while a transaction runs. A
// transaction the cache cannot go into is rolled back: its statements would
// run without the packed columns' rewriting.
func (c *statementCache) beginTx(ctx context.Context, db sqlplugin.DB) (sqlplugin.Tx, error) {
	c.compileWanted(ctx)
	tx, err := db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	conn, xtx, ok := temporalConnAs[*sqlx.Tx](tx)
	if !ok {
		tx.Rollback()
		return nil, errNoTxConn
	}
	*conn = cachedConn{Conn: xtx, tx: xtx, cache: c}
	return tx, nil
}

var errNoTxConn = errors.New("dev server: a transaction of Temporal's SQLite plugin has no connection the statement cache can go into (a Temporal this hookflow does not support)")

// statementCache holds the statements compiled on one of Temporal's
// databases, by their text.
type statementCache struct {
	db *sqlx.DB
	// temporal is Temporal's database the cache is in, which writes begin
	// their transactions on; joinsWrites: statements run with a write's
	// context join its transaction (one_transaction.go).
	temporal    sqlplugin.DB
	joinsWrites bool

	mu     sync.Mutex
	plain  map[string]*sqlx.Stmt      // ? parameters; nil: failed to compile, runs as text
	named  map[string]*sqlx.NamedStmt // :name parameters; the same
	wanted map[cacheKey]bool          // met inside a transaction, compiled before the next
	closed bool
}

type cacheKey struct {
	query string
	named bool
}

// stmt is query compiled, or nil when it is not yet (and inTx: it will be
// before the next transaction) or will not be (the cache is full).
func (c *statementCache) stmt(ctx context.Context, query string, inTx bool) *sqlx.Stmt {
	return lookup(c, c.plain, cacheKey{query, false}, inTx, func() (*sqlx.Stmt, error) {
		q, err := devStatement(query)
		if err != nil {
			return nil, err
		}
		return c.db.PreparexContext(ctx, stableLimits(q))
	})
}

// devStatement is query as the dev server runs it: the packed columns
// rewritten (packed_columns.go) and scheduled-task reads bounded.
func devStatement(query string) (string, error) {
	q, err := packColumns(query)
	if err != nil {
		return "", err
	}
	return boundTaskReads(q), nil
}

// stableLimits keeps SQLite from compiling a kept statement again each time
// it runs. SQLite reads the value bound to `LIMIT ?` or `OFFSET ?` while it
// compiles a statement, and marks the statement to be compiled anew
// whenever that parameter is bound again: Temporal's task-queue reads
// (LIMIT ? on every page) were compiled on every run, 1-2% of a steady
// profile. `LIMIT +?` is the same limit, evaluated when the statement runs.
func stableLimits(query string) string { return limitParams.Replace(query) }

var limitParams = strings.NewReplacer("LIMIT ?", "LIMIT +?", "OFFSET ?", "OFFSET +?")

// namedStmt is stmt for a statement with :name parameters.
func (c *statementCache) namedStmt(ctx context.Context, query string, inTx bool) *sqlx.NamedStmt {
	return lookup(c, c.named, cacheKey{query, true}, inTx, func() (*sqlx.NamedStmt, error) {
		q, err := devStatement(query)
		if err != nil {
			return nil, err
		}
		return c.db.PrepareNamedContext(ctx, q)
	})
}

func lookup[S interface{ Close() error }](c *statementCache, m map[string]S, k cacheKey, inTx bool, prepare func() (S, error)) S {
	var none S
	c.mu.Lock()
	s, ok := m[k.query]
	full := !ok && (c.closed || len(c.plain)+len(c.named) >= maxCachedStatements)
	if !ok && inTx && !full {
		c.wanted[k] = true
	}
	c.mu.Unlock()
	if ok || inTx || full {
		return s
	}
	// Compiling takes the connection: not under c.mu, which a transaction
	// holding the connection may be waiting for.
	s, err := prepare()
	if err != nil {
		// Run as text from now on; the error, if it is one, shows there.
		c.mu.Lock()
		if _, ok := m[k.query]; !ok {
			m[k.query] = none
		}
		c.mu.Unlock()
		return none
	}
	return keep(c, m, k.query, s)
}

// keep stores s unless the cache is closed or another caller stored the
// same statement meanwhile; it returns the one stored (nil: the statement
// runs as text).
func keep[S interface{ Close() error }](c *statementCache, m map[string]S, query string, s S) S {
	c.mu.Lock()
	defer c.mu.Unlock()
	if have, ok := m[query]; ok {
		s.Close()
		return have
	}
	if c.closed {
		s.Close()
		var none S
		return none
	}
	m[query] = s
	return s
}

// compileWanted compiles the statements met inside transactions so far.
func (c *statementCache) compileWanted(ctx context.Context) {
	c.mu.Lock()
	if len(c.wanted) == 0 {
		c.mu.Unlock()
		return
	}
	wanted := c.wanted
	c.wanted = map[cacheKey]bool{}
	c.mu.Unlock()
	for k := range wanted {
		if k.named {
			c.namedStmt(ctx, k.query, false)
		} else {
			c.stmt(ctx, k.query, false)
		}
	}
}

// close closes the compiled statements; statements run after it are run as
// text.
func (c *statementCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	c.closed = true
	openCaches.Add(-1)
	for _, s := range c.plain {
		if s != nil {
			s.Close()
		}
	}
	for _, s := range c.named {
		if s != nil {
			s.Close()
		}
	}
	clear(c.plain)
	clear(c.named)
}

// oneRow is arg as a named statement binds it: sqlx expands a slice of rows
// into a statement as long as the slice, so only a slice of one row (the
// usual insert of one task or one history node) runs compiled, as that row.
func oneRow(arg any) (any, bool) {
	v := reflect.ValueOf(arg)
	if v.Kind() != reflect.Slice && v.Kind() != reflect.Array {
		return arg, true
	}
	if v.Len() != 1 {
		return nil, false
	}
	return v.Index(0).Interface(), true
}

// cachedConn is the connection Temporal's plugin runs statements on (its
// connection pool, or one of its transactions) with the cache in front.
type cachedConn struct {
	sqlplugin.Conn // Temporal's: Rebind, PrepareNamedContext, and what runs as text
	tx             *sqlx.Tx
	cache          *statementCache
}

// compiled is query's compiled statement as this connection runs it: in a
// transaction, bound to it through Tx.Stmt, which finds the statement
// compiled on the transaction's connection. It is nil when query runs as
// text; release it after use.
func (c cachedConn) compiled(ctx context.Context, query string) *sqlx.Stmt {
	return c.bind(ctx, c.cache.stmt(ctx, query, c.tx != nil))
}

// compiledNamed is compiled for a statement with :name parameters.
func (c cachedConn) compiledNamed(ctx context.Context, query string) *sqlx.NamedStmt {
	n := c.cache.namedStmt(ctx, query, c.tx != nil)
	if n == nil {
		return nil
	}
	s := c.bind(ctx, n.Stmt)
	if c.tx == nil {
		return n
	}
	return &sqlx.NamedStmt{QueryString: n.QueryString, Params: n.Params, Stmt: s}
}

func (c cachedConn) bind(ctx context.Context, s *sqlx.Stmt) *sqlx.Stmt {
	switch {
	case s == nil:
		return nil
	case c.tx == nil:
		compiledRuns.plain.Add(1)
		return s
	}
	compiledRuns.tx.Add(1)
	return c.tx.StmtxContext(ctx, s)
}

// release lets go of what bind made for a transaction; the cache keeps the
// compiled statement itself.
func (c cachedConn) release(s *sqlx.Stmt) {
	if c.tx != nil {
		s.Close()
	}
}

// inWrite is the connection a statement run with ctx runs on: the write's
// transaction when ctx carries a write this connection's statements join
// (one_transaction.go), and c otherwise.
func (c cachedConn) inWrite(ctx context.Context) (cachedConn, error) {
	if c.tx != nil {
		return c, nil
	}
	w := writeIn(ctx, c.cache)
	if w == nil {
		return c, nil
	}
	return w.begin(ctx, c.cache)
}

// The statements below run compiled when the cache has them, and as text,
// rewritten as compiled ones are (devStatement), when it does not.

func (c cachedConn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	c, err := c.inWrite(ctx)
	if err != nil {
		return nil, err
	}
	if s := c.compiled(ctx, query); s != nil {
		defer c.release(s)
		return s.ExecContext(ctx, args...)
	}
	q, err := devStatement(query)
	if err != nil {
		return nil, err
	}
	return c.Conn.ExecContext(ctx, q, args...)
}

func (c cachedConn) GetContext(ctx context.Context, dest any, query string, args ...any) error {
	c, err := c.inWrite(ctx)
	if err != nil {
		return err
	}
	if s := c.compiled(ctx, query); s != nil {
		defer c.release(s)
		return s.GetContext(ctx, dest, args...)
	}
	q, err := devStatement(query)
	if err != nil {
		return err
	}
	return c.Conn.GetContext(ctx, dest, q, args...)
}

func (c cachedConn) SelectContext(ctx context.Context, dest any, query string, args ...any) error {
	c, err := c.inWrite(ctx)
	if err != nil {
		return err
	}
	if s := c.compiled(ctx, query); s != nil {
		defer c.release(s)
		return s.SelectContext(ctx, dest, args...)
	}
	q, err := devStatement(query)
	if err != nil {
		return err
	}
	return c.Conn.SelectContext(ctx, dest, q, args...)
}

func (c cachedConn) NamedExecContext(ctx context.Context, query string, arg any) (sql.Result, error) {
	c, err := c.inWrite(ctx)
	if err != nil {
		return nil, err
	}
	if capture := capturing(ctx); capture != nil && c.tx == nil {
		capture.query, capture.arg = query, arg // for a batch (run_list_batches.go)
		return driver.RowsAffected(0), nil
	}
	if row, ok := oneRow(arg); ok {
		if s := c.compiledNamed(ctx, query); s != nil {
			defer c.release(s.Stmt)
			return s.ExecContext(ctx, row)
		}
	}
	q, err := devStatement(query)
	if err != nil {
		return nil, err
	}
	return c.Conn.NamedExecContext(ctx, q, arg)
}

func (c cachedConn) PrepareNamedContext(ctx context.Context, query string) (*sqlx.NamedStmt, error) {
	c, err := c.inWrite(ctx)
	if err != nil {
		return nil, err
	}
	q, err := devStatement(query)
	if err != nil {
		return nil, err
	}
	return c.Conn.PrepareNamedContext(ctx, q)
}
