package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/fleetcheck/fleetcheck/health"
)

// The states of an outbox row.
const (
	OutboxPending   = "pending"
	OutboxDelivered = "delivered"
	OutboxRefused   = "refused"
)

// OutboxRow is one delivery as the store keeps it: what to send, where,
// and what became of it. The store knows nothing of delivery: the
// payload is opaque text to it.
type OutboxRow struct {
	Seq        int64  // queue order
	ID         string // the stable delivery id (team, receiver, sweep): unique
	Team       string
	Receiver   string
	Sweep      int64
	Kind       string // digest, escalation, alertmanager
	Subject    string
	Markdown   string
	Body       []byte // a JSON document; nil when none
	Alerts     []byte // a JSON array of alerts; nil when none
	Queued     time.Time
	Attempts   int
	LastError  string
	State      string    // OutboxPending, OutboxDelivered or OutboxRefused
	Settled    time.Time // when delivered or refused; zero while pending
	ClaimedBy  string    // the run holding it, "" when none
	ClaimUntil time.Time // until when that run holds it
}

// Breach is one SLA breach: an episode past its team's deadline for one
// severity. It is escalated once.
type Breach struct {
	Episode int64
	Status  health.Status
}

// Pushed is the last push to a push target (Alertmanager).
type Pushed struct {
	Target string
	Sweep  int64     // the newest sweep it covered
	At     time.Time // when it was queued
}

// Queue is one write transaction that decides deliveries: what it
// queues and the marks it moves (each team's delivered digest, the
// breaches escalated, the last push) become durable together on Commit.
type Queue interface {
	// Enqueue adds row to the outbox; added is false when its id is
	// already there (it was decided before: nothing changes).
	Enqueue(ctx context.Context, row OutboxRow) (added bool, err error)
	// MarkDelivered moves team's digest mark (Store.MarkDelivered).
	MarkDelivered(ctx context.Context, team string, sweep int64, at time.Time) error
	// MarkEscalated records b escalated by sweep; false when it already was.
	MarkEscalated(ctx context.Context, b Breach, sweep int64, at time.Time) (bool, error)
	// MarkPushed records the last push to target.
	MarkPushed(ctx context.Context, target string, sweep int64, at time.Time) error
	// Commit makes everything durable at once.
	Commit(ctx context.Context) error
	// Abort drops everything; after Commit it does nothing.
	Abort() error
}

const outboxColumns = `seq, id, team, receiver, sweep, kind, subject, markdown, body, alerts, queued,
	attempts, last_error, state, settled, claimed_by, claim_until`

// sqlQueue is a Queue on a connection holding the write lock.
type sqlQueue struct {
	s    *SQLite
	conn *sql.Conn
	done bool
}

// Queue starts the write transaction that decides deliveries; it waits
// for a recording sweep at most the busy timeout (then ErrLocked).
func (s *DB) Queue(ctx context.Context) (Queue, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("state %s: %w", s.path, err)
	}
	if err := s.beginWrite(ctx, conn); err != nil {
		conn.Close()
		return nil, err
	}
	return &sqlQueue{s: s, conn: conn}, nil
}

func (q *sqlQueue) wrap(what string, err error) error {
	if q.s.isBusy(err) {
		err = ErrLocked
	}
	return fmt.Errorf("state %s: %s: %w", q.s.path, what, err)
}

// Enqueue implements Queue.
func (q *sqlQueue) Enqueue(ctx context.Context, r OutboxRow) (bool, error) {
	if r.Queued.IsZero() {
		r.Queued = q.s.opt.now()
	}
	res, err := q.conn.ExecContext(ctx, `INSERT INTO outbox(id, team, receiver, sweep, kind, subject, markdown, body, alerts, queued)
		VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING`,
		r.ID, r.Team, r.Receiver, r.Sweep, r.Kind, r.Subject, r.Markdown, string(r.Body), string(r.Alerts), millis(r.Queued))
	if err != nil {
		return false, q.wrap("queueing "+r.ID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, q.wrap("queueing "+r.ID, err)
	}
	return n == 1, nil
}

// MarkDelivered implements Queue.
func (q *sqlQueue) MarkDelivered(ctx context.Context, team string, sweep int64, at time.Time) error {
	return q.s.markDelivered(ctx, q.conn, team, sweep, at)
}

// MarkEscalated implements Queue.
func (q *sqlQueue) MarkEscalated(ctx context.Context, b Breach, sweep int64, at time.Time) (bool, error) {
	res, err := q.conn.ExecContext(ctx, `INSERT INTO escalated(episode, status, sweep, at) VALUES(?, ?, ?, ?)
		ON CONFLICT(episode, status) DO NOTHING`, b.Episode, b.Status.String(), sweep, millis(at))
	if err != nil {
		return false, q.wrap(fmt.Sprintf("marking episode %d escalated", b.Episode), err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, q.wrap(fmt.Sprintf("marking episode %d escalated", b.Episode), err)
	}
	return n == 1, nil
}

// MarkPushed implements Queue.
func (q *sqlQueue) MarkPushed(ctx context.Context, target string, sweep int64, at time.Time) error {
	_, err := q.conn.ExecContext(ctx, `INSERT INTO pushed(target, sweep, at) VALUES(?, ?, ?)
		ON CONFLICT(target) DO UPDATE SET sweep = excluded.sweep, at = excluded.at`, target, sweep, millis(at))
	if err != nil {
		return q.wrap("marking the push to "+target, err)
	}
	return nil
}

// Commit implements Queue.
func (q *sqlQueue) Commit(ctx context.Context) error {
	if q.done {
		return errors.New("state: queue already finished")
	}
	q.done = true
	defer q.conn.Close()
	if _, err := q.conn.ExecContext(ctx, "COMMIT"); err != nil {
		q.conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK") //nolint:errcheck // the error that matters is err
		return q.wrap("committing the outbox", err)
	}
	return nil
}

// Abort implements Queue.
func (q *sqlQueue) Abort() error {
	if q.done {
		return nil
	}
	q.done = true
	defer q.conn.Close()
	if _, err := q.conn.ExecContext(context.Background(), "ROLLBACK"); err != nil {
		return q.wrap("dropping the outbox changes", err)
	}
	return nil
}

// Escalated returns the breaches of open episodes already escalated.
func (s *DB) Escalated(ctx context.Context) (map[Breach]bool, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT x.episode, x.status FROM escalated x
		JOIN episodes e ON e.id = x.episode WHERE e.end_kind = ''`)
	if err != nil {
		return nil, fmt.Errorf("state %s: reading escalations: %w", s.path, err)
	}
	defer rows.Close()
	out := map[Breach]bool{}
	for rows.Next() {
		var b Breach
		var status string
		if err := rows.Scan(&b.Episode, &status); err != nil {
			return nil, fmt.Errorf("state %s: reading escalations: %w", s.path, err)
		}
		if b.Status, err = parseStatus(status); err != nil {
			return nil, fmt.Errorf("state %s: escalation of episode %d: %w", s.path, b.Episode, err)
		}
		out[b] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("state %s: reading escalations: %w", s.path, err)
	}
	return out, nil
}

// LastPush returns the last push to target; ok is false before the first.
func (s *DB) LastPush(ctx context.Context, target string) (Pushed, bool, error) {
	p := Pushed{Target: target}
	var ok bool
	var err error
	p.Sweep, p.At, ok, err = s.readMark(ctx, "SELECT sweep, at FROM pushed WHERE target = ?", target, "the last push to "+target)
	return p, ok, err
}

// Outbox returns the outbox's rows in queue order; state "" means all.
func (s *DB) Outbox(ctx context.Context, state string) ([]OutboxRow, error) {
	q, args := "SELECT "+outboxColumns+" FROM outbox", []any{}
	if state != "" {
		q, args = q+" WHERE state = ?", append(args, state)
	}
	rows, err := s.db.QueryContext(ctx, q+" ORDER BY seq", args...)
	if err != nil {
		return nil, fmt.Errorf("state %s: reading the outbox: %w", s.path, err)
	}
	defer rows.Close()
	out, err := scanOutbox(rows)
	if err != nil {
		return nil, fmt.Errorf("state %s: reading the outbox: %w", s.path, err)
	}
	return out, nil
}

// scanOutbox reads the outbox rows a query returned (outboxColumns).
func scanOutbox(rows *sql.Rows) ([]OutboxRow, error) {
	var out []OutboxRow
	for rows.Next() {
		var r OutboxRow
		var body, alerts string
		var queued int64
		var settled, until sql.NullInt64
		if err := rows.Scan(&r.Seq, &r.ID, &r.Team, &r.Receiver, &r.Sweep, &r.Kind, &r.Subject, &r.Markdown, &body, &alerts,
			&queued, &r.Attempts, &r.LastError, &r.State, &settled, &r.ClaimedBy, &until); err != nil {
			return nil, err
		}
		if body != "" {
			r.Body = []byte(body)
		}
		if alerts != "" {
			r.Alerts = []byte(alerts)
		}
		r.Queued = fromMillis(queued)
		if settled.Valid {
			r.Settled = fromMillis(settled.Int64)
		}
		if until.Valid {
			r.ClaimUntil = fromMillis(until.Int64)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Claim takes for run owner, until until, the pending rows no other run
// holds (or whose hold expired), in queue order, leaving out a
// destination's rows queued behind one another run holds (so that they
// are never delivered out of order). It runs in the write transaction,
// so that two runs at once never claim the same row.
func (s *DB) Claim(ctx context.Context, owner string, until time.Time) ([]OutboxRow, error) {
	now := millis(s.opt.now())
	var out []OutboxRow
	err := s.write(ctx, "claiming the outbox", func(conn *sql.Conn) error {
		rows, err := conn.QueryContext(ctx, `UPDATE outbox SET claimed_by = ?, claim_until = ?
		WHERE state = 'pending' AND (claim_until IS NULL OR claim_until < ? OR claimed_by = ?)
		AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.team = outbox.team AND o.receiver = outbox.receiver
			AND o.state = 'pending' AND o.seq < outbox.seq AND o.claim_until >= ? AND o.claimed_by <> ?)
		RETURNING `+outboxColumns, owner, millis(until), now, owner, now, owner)
		if err != nil {
			return err
		}
		defer rows.Close()
		out, err = scanOutbox(rows)
		return err
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b OutboxRow) int { return int(a.Seq - b.Seq) })
	return out, nil
}

// Attempted records one failed attempt of the pending row id.
func (s *DB) Attempted(ctx context.Context, id string, at time.Time, reason string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, last_error = ?
		WHERE id = ? AND state = 'pending'`, reason, id)
	if err != nil {
		return fmt.Errorf("state %s: recording an attempt of %s: %w", s.path, id, err)
	}
	return nil
}

// Settle marks the pending row id delivered or refused (state), counting
// the attempt that settled it and releasing its claim. A row already
// settled (by a run that took it over after this one's claim expired)
// is left as it is.
func (s *DB) Settle(ctx context.Context, id, state string, at time.Time, reason string) error {
	if state != OutboxDelivered && state != OutboxRefused {
		return fmt.Errorf("state: settling %s as %q: expected %s or %s", id, state, OutboxDelivered, OutboxRefused)
	}
	_, err := s.db.ExecContext(ctx, `UPDATE outbox SET state = ?, settled = ?, attempts = attempts + 1,
		last_error = CASE WHEN ? = '' THEN last_error ELSE ? END, claimed_by = '', claim_until = NULL
		WHERE id = ? AND state = 'pending'`, state, millis(at), reason, reason, id)
	if err != nil {
		return fmt.Errorf("state %s: marking %s %s: %w", s.path, id, state, err)
	}
	return nil
}

// Release gives up owner's claims on the rows still pending, so that the
// next run takes them at once.
func (s *DB) Release(ctx context.Context, owner string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE outbox SET claimed_by = '', claim_until = NULL
		WHERE claimed_by = ? AND state = 'pending'`, owner)
	if err != nil {
		return fmt.Errorf("state %s: releasing the outbox claims: %w", s.path, err)
	}
	return nil
}

// Deliveries is the part of a Store that delivery uses: the outbox and
// the marks decided with it.
type Deliveries interface {
	// Queue starts the write transaction that decides deliveries.
	Queue(ctx context.Context) (Queue, error)
	// Escalated returns the breaches of open episodes already escalated.
	Escalated(ctx context.Context) (map[Breach]bool, error)
	// LastPush returns the last push to target; ok is false before any.
	LastPush(ctx context.Context, target string) (Pushed, bool, error)
	// Outbox returns the rows in queue order; state "" means all.
	Outbox(ctx context.Context, state string) ([]OutboxRow, error)
	// Claim takes the pending rows for run owner until until.
	Claim(ctx context.Context, owner string, until time.Time) ([]OutboxRow, error)
	// Attempted records a failed attempt that may be retried.
	Attempted(ctx context.Context, id string, at time.Time, reason string) error
	// Settle marks a pending row delivered or refused.
	Settle(ctx context.Context, id, state string, at time.Time, reason string) error
	// Release gives up owner's claims on rows still pending.
	Release(ctx context.Context, owner string) error
}
