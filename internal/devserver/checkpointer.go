package devserver

import (
	"database/sql"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// checkpointer copies what the dev server's database files have committed
// to their WAL into the files themselves, in the background, on a
// connection of its own to each file.
//
// Before it, the copy (a checkpoint) ran inside the commit that took the WAL
// past wal_autocheckpoint, on the file's one connection, and ended with an
// fsync of the database file: on a slow disk 44-447 ms, during which every
// run's writes waited (docs/performance.md). SQLite's PASSIVE checkpoint
// takes no lock a writer needs: the writer goes on appending to the WAL
// while the checkpointer copies and syncs, and the next write after a copy
// that caught up starts the WAL from its beginning again.
//
// Under writes that never pause, a copy seldom catches up at the moment a
// write begins, and the WAL would grow. The bound stays with the writer:
// Temporal's connection still checkpoints when the WAL passes
// walCheckpointPages (fileSQLConfig), and then has left to copy only what
// was committed since the checkpointer's last pass.
type checkpointer struct {
	logger *slog.Logger
	every  time.Duration
	conns  []*checkpointConn
	stop   chan struct{}
	done   sync.WaitGroup
}

// checkpointConn is one file's connection.
type checkpointConn struct {
	file   string
	db     *sql.DB
	failed bool // the last pass failed (logged once until one succeeds)
}

// checkpointEvery is how often the checkpointer copies each file's WAL.
// Each pass that copies something ends with an fsync of the file, on the
// checkpointer's connection. A quarter of a second keeps what a commit
// past the bound has left to copy to a quarter second's writes.
const checkpointEvery = 250 * time.Millisecond

// startCheckpointer starts checkpointing files, which exist and are in WAL
// mode, every interval until stop.
func startCheckpointer(files []string, every time.Duration, logger *slog.Logger) (*checkpointer, error) {
	c := &checkpointer{logger: logger, every: every, stop: make(chan struct{})}
	for _, f := range files {
		db, err := openDirect(f)
		if err != nil {
			c.close()
			return nil, fmt.Errorf("checkpointer for %s: %w", f, err)
		}
		// One connection, kept open: a closing connection that is a file's
		// last would checkpoint it and delete its WAL, which is Temporal's
		// to do when the server stops.
		db.SetMaxOpenConns(1)
		db.SetMaxIdleConns(1)
		db.SetConnMaxIdleTime(0)
		db.SetConnMaxLifetime(0)
		c.conns = append(c.conns, &checkpointConn{file: f, db: db})
	}
	c.done.Add(1)
	go c.run()
	return c, nil
}

func (c *checkpointer) run() {
	defer c.done.Done()
	t := time.NewTicker(c.every)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
			for _, cc := range c.conns {
				c.pass(cc)
			}
		}
	}
}

// pass copies what cc's WAL holds that its file does not, as far as no
// reader still needs the older pages.
func (c *checkpointer) pass(cc *checkpointConn) {
	var busy, walFrames, copied int64
	err := cc.db.QueryRow("PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &walFrames, &copied)
	if err != nil {
		if !cc.failed {
			c.logger.Warn("background checkpoint failed; commits will copy the WAL themselves", "database", cc.file, "error", err)
		}
		cc.failed = true
		return
	}
	if cc.failed {
		c.logger.Info("background checkpoints resumed", "database", cc.file)
		cc.failed = false
	}
}

// close stops the checkpointer and closes its connections. Safe on nil.
func (c *checkpointer) close() {
	if c == nil {
		return
	}
	select {
	case <-c.stop:
	default:
		close(c.stop)
	}
	c.done.Wait()
	for _, cc := range c.conns {
		cc.db.Close()
	}
}
