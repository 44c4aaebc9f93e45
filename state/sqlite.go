package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver
)

// ErrLocked is returned by Begin when another sweep is recording into the
// same store.
var ErrLocked = errors.New("another fleetcheck is recording a sweep into this store; try again when it has finished")

// ErrNewerSchema is returned by Open for a store written by a newer
// fleetcheck; the store is left untouched.
var ErrNewerSchema = errors.New("written by a newer fleetcheck")

// DB is the store on an SQL database: SQLite (Open) or PostgreSQL. Its
// methods are one SQL code path for both; what differs is its dialect.
type DB struct {
	db   *sql.DB
	path string // the file, or the PostgreSQL URL without its password
	opt  Options
	d    dialect
	// spool: recordings write at Commit (see spooled), so that several
	// runners record into the store at once (PostgreSQL).
	spool bool
}

// SQLite is the name DB had before it served PostgreSQL too.
type SQLite = DB

var _ Store = (*DB)(nil)

// Open opens (creating it, mode 0600, when missing) the SQLite store at
// path and migrates its schema to SchemaVersion. A store written by a
// newer schema is refused with ErrNewerSchema and not modified.
func Open(ctx context.Context, path string, opt Options) (*DB, error) {
	return openVersion(ctx, path, opt, SchemaVersion())
}

// openVersion opens the store and migrates it to version target (tests
// build older stores with it).
func openVersion(ctx context.Context, path string, opt Options, target int) (*DB, error) {
	if path == "" {
		return nil, errors.New("state: no file given")
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() +
		"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("state %s: %w", path, err)
	}
	s := &DB{db: db, path: path, opt: opt, d: sqliteDialect{}}
	if err := s.migrate(ctx, target); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// migrate brings the schema to version target in one transaction, after
// checking that the file is a fleetcheck store not newer than this build.
func (s *DB) migrate(ctx context.Context, target int) error {
	version, err := s.version(ctx, s.db)
	if err != nil {
		return err
	}
	if version > SchemaVersion() {
		return fmt.Errorf("state %s: schema version %d, %w (this one reads up to %d): upgrade fleetcheck to use it", s.path, version, ErrNewerSchema, SchemaVersion())
	}
	if version >= target {
		return nil
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("state %s: %w", s.path, err)
	}
	defer conn.Close()
	if err := s.beginWrite(ctx, conn); err != nil {
		return err
	}
	commit := false
	defer func() {
		if !commit {
			conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK") //nolint:errcheck // best effort after a failure
		}
	}()
	// Another process may have migrated it while we waited for the lock.
	if version, err = s.version(ctx, conn); err != nil {
		return err
	}
	if version == 0 {
		foreign, err := s.d.foreign(ctx, conn)
		if err != nil {
			return fmt.Errorf("state %s: %w", s.path, err)
		}
		if foreign {
			return fmt.Errorf("state %s: %s, but not a fleetcheck state store (no schema version)", s.path, s.d.kind())
		}
	}
	for v := version; v < target; v++ {
		if _, err := conn.ExecContext(ctx, s.d.migration(migrations[v])); err != nil {
			return fmt.Errorf("state %s: migrating the schema to version %d: %w", s.path, v+1, err)
		}
	}
	if err := s.d.setVersion(ctx, conn, target); err != nil {
		return fmt.Errorf("state %s: %w", s.path, err)
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("state %s: committing the schema: %w", s.path, err)
	}
	commit = true
	return nil
}

func (s *DB) version(ctx context.Context, q queryer) (int, error) {
	v, err := s.d.version(ctx, q)
	if err != nil {
		return 0, fmt.Errorf("state %s: %w", s.path, err)
	}
	return v, nil
}

// beginWrite is the write-transaction entry point: it opens a transaction
// on conn holding the store's write lock (SQLite: BEGIN IMMEDIATE under
// the busy timeout; PostgreSQL: BEGIN and an advisory lock), so that
// writers wait for each other. Another writer holding the lock past the
// wait is ErrLocked. The caller ends it with COMMIT or ROLLBACK on conn.
func (s *DB) beginWrite(ctx context.Context, conn *sql.Conn) error {
	if err := s.d.beginWrite(ctx, conn); err != nil {
		if s.d.locked(err) {
			return fmt.Errorf("state %s: waited %s: %w", s.path, s.d.lockWait(), ErrLocked)
		}
		return fmt.Errorf("state %s: starting a transaction: %w", s.path, err)
	}
	return nil
}

// isBusy reports whether err says the store's write lock is held by
// another writer (SQLite's "database is locked", PostgreSQL's lock
// timeout).
func (s *DB) isBusy(err error) bool { return s.d.locked(err) }

// Path is the store's file.
func (s *DB) Path() string { return s.path }

// Close closes the database.
func (s *DB) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("state %s: %w", s.path, err)
	}
	return nil
}

// Begin implements Store.
func (s *DB) Begin(ctx context.Context, info SweepInfo) (Recording, error) {
	if s.spool {
		return s.beginSpooled(ctx, info)
	}
	r, err := s.record(ctx, info)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// record takes the write lock and starts recording the sweep info
// describes on it (Begin's, or a spooled sweep's at Commit).
func (s *DB) record(ctx context.Context, info SweepInfo) (*recording, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("state %s: %w", s.path, err)
	}
	if err := s.beginWrite(ctx, conn); err != nil {
		conn.Close()
		return nil, err
	}
	r, err := newRecording(ctx, s, conn, info)
	if err != nil {
		conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK") //nolint:errcheck // the error that matters is err
		conn.Close()
		return nil, err
	}
	return r, nil
}

// Sweeps implements Store.
func (s *DB) Sweeps(ctx context.Context, limit int) ([]Sweep, error) {
	q := `SELECT id, started, finished, query, checks, hosts, scope, complete, shard_index, shard_count,
		results, ok, warning, critical, unknown, unreachable, not_run, opened, worsened, improved, fixed, gone
		FROM sweeps ORDER BY id DESC`
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	rows, err := s.db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("state %s: reading sweeps: %w", s.path, err)
	}
	defer rows.Close()
	var out []Sweep
	for rows.Next() {
		var sw Sweep
		var started int64
		var finished, shardIndex, shardCount sql.NullInt64
		var checks string
		c := &sw.Counts
		if err := rows.Scan(&sw.ID, &started, &finished, &sw.Query, &checks, &sw.Hosts, &sw.Scope, &sw.Complete,
			&shardIndex, &shardCount, &c.Results, &c.OK, &c.Warning, &c.Critical, &c.Unknown, &c.Unreachable,
			&c.NotRun, &c.Opened, &c.Worsened, &c.Improved, &c.Fixed, &c.Gone); err != nil {
			return nil, fmt.Errorf("state %s: reading sweeps: %w", s.path, err)
		}
		sw.Started = fromMillis(started)
		if finished.Valid {
			sw.Finished = fromMillis(finished.Int64)
		}
		if checks != "" {
			sw.Checks = strings.Split(checks, ",")
		}
		if shardCount.Valid {
			sw.Shard = &Shard{Index: int(shardIndex.Int64), Count: int(shardCount.Int64)}
		}
		out = append(out, sw)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("state %s: reading sweeps: %w", s.path, err)
	}
	return out, nil
}

// Episodes implements Store.
func (s *DB) Episodes(ctx context.Context, f EpisodeFilter) ([]Episode, error) {
	var where []string
	var args []any
	if f.Host != "" {
		where, args = append(where, "host = ?"), append(args, f.Host)
	}
	if f.Check != nil {
		where, args = append(where, "check_name = ?"), append(args, *f.Check)
	}
	if f.Team != "" {
		where, args = append(where, "team = ?"), append(args, f.Team)
	}
	if f.OpenOnly {
		where = append(where, "end_kind = ''")
	}
	if !f.Since.IsZero() {
		where, args = append(where, "(end_kind = '' OR ended >= ?)"), append(args, millis(f.Since))
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, host, check_name, status, summary, reason, error_kind,
		team, rule, unowned, product_owner, first_seen, last_seen, first_sweep, last_sweep, ended, end_kind, end_sweep, maint
		FROM episodes`+cond+` ORDER BY first_seen, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("state %s: reading episodes: %w", s.path, err)
	}
	defer rows.Close()
	var out []Episode
	var maints []sql.NullInt64
	index := map[int64]int{}
	for rows.Next() {
		var e Episode
		var status, end string
		var first, last int64
		var ended, endSweep, maint sql.NullInt64
		if err := rows.Scan(&e.ID, &e.Host, &e.Check, &status, &e.Summary, &e.Reason, &e.ErrorKind,
			&e.Owner.Team, &e.Owner.Rule, &e.Owner.Unowned, &e.Owner.ProductOwner,
			&first, &last, &e.FirstSweep, &e.LastSweep, &ended, &end, &endSweep, &maint); err != nil {
			return nil, fmt.Errorf("state %s: reading episodes: %w", s.path, err)
		}
		if e.Status, err = parseStatus(status); err != nil {
			return nil, fmt.Errorf("state %s: episode %d: %w", s.path, e.ID, err)
		}
		e.FirstSeen, e.LastSeen, e.End = fromMillis(first), fromMillis(last), End(end)
		if ended.Valid {
			e.Ended = fromMillis(ended.Int64)
		}
		e.EndSweep = endSweep.Int64
		index[e.ID] = len(out)
		out = append(out, e)
		maints = append(maints, maint)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("state %s: reading episodes: %w", s.path, err)
	}
	rows.Close()
	if len(out) == 0 {
		return nil, nil
	}
	crows, err := s.db.QueryContext(ctx, `SELECT episode, sweep, at, status, summary, team, rule, unowned, product_owner
		FROM changes WHERE episode IN (SELECT id FROM episodes`+cond+`) ORDER BY episode, at, sweep`, args...)
	if err != nil {
		return nil, fmt.Errorf("state %s: reading changes: %w", s.path, err)
	}
	defer crows.Close()
	for crows.Next() {
		var c Change
		var id, at int64
		var status string
		if err := crows.Scan(&id, &c.Sweep, &at, &status, &c.Summary, &c.Owner.Team, &c.Owner.Rule, &c.Owner.Unowned, &c.Owner.ProductOwner); err != nil {
			return nil, fmt.Errorf("state %s: reading changes: %w", s.path, err)
		}
		if c.Status, err = parseStatus(status); err != nil {
			return nil, fmt.Errorf("state %s: change of episode %d: %w", s.path, id, err)
		}
		c.At = fromMillis(at)
		if i, ok := index[id]; ok {
			out[i].Changes = append(out[i].Changes, c)
		}
	}
	if err := crows.Err(); err != nil {
		return nil, fmt.Errorf("state %s: reading changes: %w", s.path, err)
	}
	if err := s.fillTriage(ctx, out, maints); err != nil {
		return nil, err
	}
	return out, nil
}

// LastDelivered implements Store.
func (s *DB) LastDelivered(ctx context.Context, team string) (Delivered, bool, error) {
	d := Delivered{Team: team}
	var ok bool
	var err error
	d.Sweep, d.At, ok, err = s.readMark(ctx, "SELECT sweep, at FROM delivered WHERE team = ?", team, "the last digest of "+team)
	return d, ok, err
}

// readMark reads the (sweep, at) mark query selects by key; ok is false
// when there is none.
func (s *DB) readMark(ctx context.Context, query, key, what string) (int64, time.Time, bool, error) {
	var sweep, at int64
	err := s.db.QueryRowContext(ctx, query, key).Scan(&sweep, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, time.Time{}, false, nil
	}
	if err != nil {
		return 0, time.Time{}, false, fmt.Errorf("state %s: reading %s: %w", s.path, what, err)
	}
	return sweep, fromMillis(at), true, nil
}

// MarkDelivered implements Store.
func (s *DB) MarkDelivered(ctx context.Context, team string, sweep int64, at time.Time) error {
	return s.markDelivered(ctx, s.db, team, sweep, at)
}

// execer runs a statement: the database, or a connection holding the
// write lock.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func (s *DB) markDelivered(ctx context.Context, ex execer, team string, sweep int64, at time.Time) error {
	if at.IsZero() {
		at = s.opt.now()
	}
	_, err := ex.ExecContext(ctx, `INSERT INTO delivered(team, sweep, at) VALUES(?, ?, ?)
		ON CONFLICT(team) DO UPDATE SET sweep = excluded.sweep, at = excluded.at`, team, sweep, millis(at))
	if err != nil {
		if s.isBusy(err) {
			return fmt.Errorf("state %s: marking the digest of %s delivered: %w", s.path, team, ErrLocked)
		}
		return fmt.Errorf("state %s: marking the digest of %s delivered: %w", s.path, team, err)
	}
	return nil
}

func millis(t time.Time) int64 { return t.UnixMilli() }

func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }
