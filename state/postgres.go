package state

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// PostgreSQL's deadlines, unless the URL sets its own (connect_timeout,
// options=-c statement_timeout=...).
const (
	pgConnectTimeout   = 10 * time.Second
	pgStatementTimeout = 2 * time.Minute
	pgLockWait         = time.Minute // the writers hold the lock while they apply a sweep, not while they sweep
)

// IsPostgresURL reports whether a --state value names a PostgreSQL
// database (postgres:// or postgresql://) rather than a file.
func IsPostgresURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// OpenAny opens the store a --state value names: a PostgreSQL URL
// (OpenPostgres) or an SQLite file (Open).
func OpenAny(ctx context.Context, where string, opt Options) (*DB, error) {
	return openAnyVersion(ctx, where, opt, SchemaVersion())
}

// openAnyVersion is OpenAny migrating to version target (tests build older
// stores with it).
func openAnyVersion(ctx context.Context, where string, opt Options, target int) (*DB, error) {
	if IsPostgresURL(where) {
		return openPostgresVersion(ctx, where, opt, target)
	}
	return openVersion(ctx, where, opt, target)
}

// OpenPostgres opens the store in the PostgreSQL database at rawURL
// (postgres://user@host:port/db?sslmode=...; the password may come from
// PGPASSWORD or PGPASSFILE instead of the URL) and migrates its schema to
// SchemaVersion, as Open does for a file. Connecting has a deadline, and
// so has every statement. The password never appears in its errors or in
// Path.
func OpenPostgres(ctx context.Context, rawURL string, opt Options) (*DB, error) {
	return openPostgresVersion(ctx, rawURL, opt, SchemaVersion())
}

func openPostgresVersion(ctx context.Context, rawURL string, opt Options, target int) (*DB, error) {
	name := RedactURL(rawURL)
	scrub := func(err error) error { return scrubbed(err, rawURL) }
	cfg, err := pgx.ParseConfig(rawURL)
	if err != nil {
		return nil, fmt.Errorf("state %s: %w", name, scrub(err))
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = pgConnectTimeout
	}
	// statement_timeout bounds a slow server; TCP keepalives a dead one or
	// a dead network (about 30 s), which no server setting can.
	dialer := &net.Dialer{KeepAliveConfig: net.KeepAliveConfig{Enable: true, Idle: 15 * time.Second, Interval: 5 * time.Second, Count: 3}}
	cfg.DialFunc = dialer.DialContext
	if _, ok := cfg.RuntimeParams["statement_timeout"]; !ok && !strings.Contains(cfg.RuntimeParams["options"], "statement_timeout") {
		cfg.RuntimeParams["statement_timeout"] = fmt.Sprint(pgStatementTimeout.Milliseconds())
	}
	db := sql.OpenDB(pgConnector{stdlib.GetConnector(*cfg)})
	s := &DB{db: db, path: name, opt: opt, d: postgresDialect{wait: pgLockWait}, spool: true}
	pctx, cancel := context.WithTimeout(ctx, pgConnectTimeout+time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("state %s: connecting: %w", name, scrub(err))
	}
	if err := s.migrate(ctx, target); err != nil {
		db.Close()
		return nil, scrub(err)
	}
	return s, nil
}

// RedactURL is a PostgreSQL URL fit for messages: its password (in the
// user part or a password= parameter) replaced by xxxxx.
func RedactURL(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "a PostgreSQL URL that does not parse"
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// scrubbed is err with the URL's password, should a driver message quote
// it, replaced by xxxxx; err itself when there is none.
func scrubbed(err error, rawURL string) error {
	if err == nil {
		return nil
	}
	u, perr := url.Parse(rawURL)
	if perr != nil {
		return errors.New("a PostgreSQL URL that does not parse")
	}
	var secrets []string
	if pw, ok := u.User.Password(); ok && pw != "" {
		secrets = append(secrets, pw, url.UserPassword("", pw).String()[1:])
	}
	if pw := u.Query().Get("password"); pw != "" {
		secrets = append(secrets, pw, url.QueryEscape(pw))
	}
	msg := err.Error()
	clean := msg
	for _, s := range secrets {
		clean = strings.ReplaceAll(clean, s, "xxxxx")
	}
	if clean == msg {
		return err
	}
	return scrubbedError{msg: clean, err: err}
}

// scrubbedError keeps the chain (errors.Is) of an error whose message
// lost a secret.
type scrubbedError struct {
	msg string
	err error
}

func (e scrubbedError) Error() string { return e.msg }
func (e scrubbedError) Unwrap() error { return e.err }

// pgConnector hands database/sql pgx connections that take the store's
// SQL as written: `?` placeholders, Go booleans as 0/1.
type pgConnector struct{ driver.Connector }

// Connect implements driver.Connector.
func (c pgConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	sc, ok := conn.(*stdlib.Conn)
	if !ok {
		conn.Close()
		return nil, fmt.Errorf("unexpected pgx connection type %T", conn)
	}
	return pgConn{sc}, nil
}

// pgConn rebinds each statement's placeholders; everything else is pgx's.
type pgConn struct{ *stdlib.Conn }

// Prepare implements driver.Conn.
func (c pgConn) Prepare(q string) (driver.Stmt, error) {
	return c.Conn.Prepare(postgresDialect{}.rebind(q))
}

// PrepareContext implements driver.ConnPrepareContext.
func (c pgConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	return c.Conn.PrepareContext(ctx, postgresDialect{}.rebind(q))
}

// ExecContext implements driver.ExecerContext.
func (c pgConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.ExecContext(ctx, postgresDialect{}.rebind(q), args)
}

// QueryContext implements driver.QueryerContext.
func (c pgConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	return c.Conn.QueryContext(ctx, postgresDialect{}.rebind(q), args)
}

// CheckNamedValue implements driver.NamedValueChecker: booleans are
// stored as 0/1 integers, as in SQLite.
func (c pgConn) CheckNamedValue(nv *driver.NamedValue) error {
	if b, ok := nv.Value.(bool); ok {
		nv.Value = int64(0)
		if b {
			nv.Value = int64(1)
		}
	}
	return nil
}
