package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fleetcheck/fleetcheck/health"
	"github.com/fleetcheck/fleetcheck/inventory/nodeset"
)

// Triage is the part of a store that acknowledges episodes and keeps
// maintenance windows. *DB implements it (SQLite and PostgreSQL).
//
// An acknowledgement (Ack) covers one open episode at the status it had
// when acknowledged. It ends (AckEnd) when it expires (Until passed),
// when the episode resolves, when a sweep sees the episode worse than the
// acknowledged status (a WARNING acknowledged that turns CRITICAL is news
// again), or when removed. Expiry needs no sweep: a reader never sees an
// expired acknowledgement, and the next recording writes its end.
//
// A maintenance window (Window) covers the hosts its query selected when
// it was made, from Start to End; later inventory changes never widen it.
// A failure of a covered host while the window is active is recorded as
// usual and carries the window (Episode.Maintenance). An episode that
// opened inside a window and is still open when the window ends becomes
// an ordinary episode that began at the window's end: its FirstSeen is
// the window's End (its changes before then stay in its history), so its
// SLA clock, "new" in digests and the error budget count from there. An
// episode already open when the window began keeps its FirstSeen; it is
// only shown in maintenance while the window lasts.
type Triage interface {
	// Acknowledge acknowledges the open episodes of check on hosts; an
	// episode already acknowledged gets the new acknowledgement (the old
	// one ends as replaced). It returns the new acknowledgements.
	Acknowledge(ctx context.Context, req AckRequest) ([]Ack, error)
	// Acks returns the acknowledgements in force (all, with ended ones,
	// when all is true), oldest first.
	Acks(ctx context.Context, all bool) ([]Ack, error)
	// RemoveAcks ends the acknowledgements in force of check on hosts and
	// returns them.
	RemoveAcks(ctx context.Context, hosts []string, check string) ([]Ack, error)
	// AddMaintenance stores a window with its host set.
	AddMaintenance(ctx context.Context, w Window) (Window, error)
	// Maintenance returns the windows that end after since (all when since
	// is zero), with their hosts, by start.
	Maintenance(ctx context.Context, since time.Time) ([]Window, error)
	// RemoveMaintenance ends window id now (a window not started yet ends
	// before it began) and returns it.
	RemoveMaintenance(ctx context.Context, id int64) (Window, error)
}

var _ Triage = (*DB)(nil)

// AckEnd says how an acknowledgement ended; AckActive is one in force.
type AckEnd string

// The endings of an acknowledgement.
const (
	AckActive   AckEnd = ""
	AckExpired  AckEnd = "expired"  // its until passed
	AckResolved AckEnd = "resolved" // the episode ended
	AckWorsened AckEnd = "worsened" // the episode got worse than the status acknowledged
	AckRemoved  AckEnd = "removed"  // ack --remove
	AckReplaced AckEnd = "replaced" // acknowledged again
)

// AckRequest is what ack asks for.
type AckRequest struct {
	Hosts  []string      // the hosts the query selected
	Check  string        // the check (HostCheck: the host's unreachability)
	By     string        // who acknowledges
	Reason string        // why (a ticket)
	For    time.Duration // how long; 0: until the episode resolves or worsens
}

// Ack is an acknowledgement of one episode.
type Ack struct {
	ID      int64         `json:"id"`
	Episode int64         `json:"episode"`
	Host    string        `json:"host"`
	Check   string        `json:"check"`
	Status  health.Status `json:"status"` // the status acknowledged
	By      string        `json:"by"`
	Reason  string        `json:"reason"`
	Until   time.Time     `json:"until,omitzero"` // zero: until resolved or worse
	Created time.Time     `json:"created"`
	Ended   time.Time     `json:"ended,omitzero"`
	End     AckEnd        `json:"end,omitempty"`
}

// ActiveAt reports whether the acknowledgement is in force at t.
func (a Ack) ActiveAt(t time.Time) bool {
	return a.End == AckActive && (a.Until.IsZero() || t.Before(a.Until))
}

// Covers reports whether the acknowledgement still covers an episode now
// at status: not expired at t and not worse than what was acknowledged.
func (a Ack) Covers(status health.Status, t time.Time) bool {
	return a.ActiveAt(t) && !status.Worse(a.Status)
}

// Window is a maintenance window.
type Window struct {
	ID      int64     `json:"id"`
	Query   string    `json:"query"`
	Hosts   []string  `json:"hosts"` // expanded when made
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
	Reason  string    `json:"reason"`
	By      string    `json:"by"`
	Created time.Time `json:"created"`
	Removed time.Time `json:"removed,omitzero"`
}

// ActiveAt reports whether the window is in force at t.
func (w Window) ActiveAt(t time.Time) bool { return !t.Before(w.Start) && t.Before(w.End) }

// Covers reports whether host is in the window.
func (w Window) Covers(host string) bool {
	_, ok := slices.BinarySearch(w.Hosts, host)
	return ok
}

// Acknowledge implements Triage.
func (s *DB) Acknowledge(ctx context.Context, req AckRequest) ([]Ack, error) {
	now := s.opt.now()
	var out []Ack
	err := s.write(ctx, "acknowledging", func(conn *sql.Conn) error {
		for _, host := range req.Hosts {
			var id int64
			var status string
			err := conn.QueryRowContext(ctx, `SELECT id, status FROM episodes WHERE host = ? AND check_name = ? AND end_kind = ''`,
				host, req.Check).Scan(&id, &status)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return err
			}
			if _, err := conn.ExecContext(ctx, `UPDATE acks SET ended = ?, end_kind = ? WHERE episode = ? AND end_kind = ''`,
				millis(now), string(AckReplaced), id); err != nil {
				return err
			}
			a := Ack{Episode: id, Host: host, Check: req.Check, By: req.By, Reason: req.Reason, Created: fromMillis(millis(now))}
			if a.Status, err = parseStatus(status); err != nil {
				return err
			}
			var until sql.NullInt64
			if req.For > 0 {
				a.Until = fromMillis(millis(now.Add(req.For)))
				until = sql.NullInt64{Int64: millis(a.Until), Valid: true}
			}
			if err := conn.QueryRowContext(ctx, `INSERT INTO acks(episode, status, by_name, reason, until_at, created)
				VALUES(?,?,?,?,?,?) RETURNING id`, id, status, req.By, req.Reason, until, millis(now)).Scan(&a.ID); err != nil {
				return err
			}
			out = append(out, a)
		}
		return nil
	})
	return out, err
}

// write runs fn in a write transaction taken as a recording takes it, so
// that it waits for (or fails clearly beside) a sweep being recorded.
func (s *DB) write(ctx context.Context, what string, fn func(*sql.Conn) error) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("state %s: %w", s.path, err)
	}
	defer conn.Close()
	if err := s.beginWrite(ctx, conn); err != nil {
		return err
	}
	if err := fn(conn); err != nil {
		conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK") //nolint:errcheck // the error that matters is err
		return fmt.Errorf("state %s: %s: %w", s.path, what, err)
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK") //nolint:errcheck // the error that matters is err
		return fmt.Errorf("state %s: %s: %w", s.path, what, err)
	}
	return nil
}

const ackColumns = `a.id, a.episode, e.host, e.check_name, a.status, a.by_name, a.reason, a.until_at, a.created, a.ended, a.end_kind`

func scanAck(rows *sql.Rows) (Ack, error) {
	var a Ack
	var status, end string
	var until, ended sql.NullInt64
	var created int64
	if err := rows.Scan(&a.ID, &a.Episode, &a.Host, &a.Check, &status, &a.By, &a.Reason, &until, &created, &ended, &end); err != nil {
		return a, err
	}
	var err error
	if a.Status, err = parseStatus(status); err != nil {
		return a, err
	}
	a.Created, a.End = fromMillis(created), AckEnd(end)
	if until.Valid {
		a.Until = fromMillis(until.Int64)
	}
	if ended.Valid {
		a.Ended = fromMillis(ended.Int64)
	}
	return a, nil
}

// Acks implements Triage. An acknowledgement past its until is shown as
// expired even before a recording wrote so.
func (s *DB) Acks(ctx context.Context, all bool) ([]Ack, error) {
	now := s.opt.now()
	q := `SELECT ` + ackColumns + ` FROM acks a JOIN episodes e ON e.id = a.episode`
	var args []any
	if !all {
		q += ` WHERE a.end_kind = '' AND (a.until_at IS NULL OR a.until_at > ?)`
		args = append(args, millis(now))
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY a.created, a.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("state %s: reading acknowledgements: %w", s.path, err)
	}
	defer rows.Close()
	var out []Ack
	for rows.Next() {
		a, err := scanAck(rows)
		if err != nil {
			return nil, fmt.Errorf("state %s: reading acknowledgements: %w", s.path, err)
		}
		if a.End == AckActive && !a.ActiveAt(now) {
			a.End, a.Ended = AckExpired, a.Until
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("state %s: reading acknowledgements: %w", s.path, err)
	}
	return out, nil
}

// RemoveAcks implements Triage.
func (s *DB) RemoveAcks(ctx context.Context, hosts []string, check string) ([]Ack, error) {
	active, err := s.Acks(ctx, false)
	if err != nil {
		return nil, err
	}
	want := setOf(hosts)
	var out []Ack
	now := s.opt.now()
	err = s.write(ctx, "removing acknowledgements", func(conn *sql.Conn) error {
		for _, a := range active {
			if !want[a.Host] || a.Check != check {
				continue
			}
			if _, err := conn.ExecContext(ctx, `UPDATE acks SET ended = ?, end_kind = ? WHERE id = ? AND end_kind = ''`,
				millis(now), string(AckRemoved), a.ID); err != nil {
				return err
			}
			a.End, a.Ended = AckRemoved, fromMillis(millis(now))
			out = append(out, a)
		}
		return nil
	})
	return out, err
}

// AddMaintenance implements Triage.
func (s *DB) AddMaintenance(ctx context.Context, w Window) (Window, error) {
	now := s.opt.now()
	if w.Start.IsZero() {
		w.Start = now
	}
	if !w.End.After(w.Start) {
		return w, fmt.Errorf("state %s: a maintenance window must end after it starts", s.path)
	}
	w.Hosts = slices.Compact(slices.Sorted(slices.Values(w.Hosts)))
	w.Start, w.End, w.Created = fromMillis(millis(w.Start)), fromMillis(millis(w.End)), fromMillis(millis(now))
	err := s.write(ctx, "adding a maintenance window", func(conn *sql.Conn) error {
		if err := conn.QueryRowContext(ctx, `INSERT INTO maintenance(query, start_at, end_at, reason, by_name, created)
			VALUES(?,?,?,?,?,?) RETURNING id`, w.Query, millis(w.Start), millis(w.End), w.Reason, w.By, millis(now)).Scan(&w.ID); err != nil {
			return err
		}
		for _, h := range w.Hosts {
			if _, err := conn.ExecContext(ctx, `INSERT INTO maintenance_hosts(maint, host) VALUES(?, ?)`, w.ID, h); err != nil {
				return err
			}
		}
		return nil
	})
	return w, err
}

// Maintenance implements Triage.
func (s *DB) Maintenance(ctx context.Context, since time.Time) ([]Window, error) {
	return s.windows(ctx, s.db, since)
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func (s *DB) windows(ctx context.Context, q querier, since time.Time) ([]Window, error) {
	rows, err := q.QueryContext(ctx, `SELECT m.id, m.query, m.start_at, m.end_at, m.reason, m.by_name, m.created, m.removed, h.host
		FROM maintenance m LEFT JOIN maintenance_hosts h ON h.maint = m.id
		WHERE m.end_at > ? ORDER BY m.start_at, m.id, h.host`, millis(since))
	if err != nil {
		return nil, fmt.Errorf("state %s: reading maintenance windows: %w", s.path, err)
	}
	defer rows.Close()
	var out []Window
	for rows.Next() {
		var w Window
		var start, end, created int64
		var removed sql.NullInt64
		var host sql.NullString
		if err := rows.Scan(&w.ID, &w.Query, &start, &end, &w.Reason, &w.By, &created, &removed, &host); err != nil {
			return nil, fmt.Errorf("state %s: reading maintenance windows: %w", s.path, err)
		}
		if n := len(out); n == 0 || out[n-1].ID != w.ID {
			w.Start, w.End, w.Created = fromMillis(start), fromMillis(end), fromMillis(created)
			if removed.Valid {
				w.Removed = fromMillis(removed.Int64)
			}
			out = append(out, w)
		}
		if host.Valid {
			out[len(out)-1].Hosts = append(out[len(out)-1].Hosts, host.String)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("state %s: reading maintenance windows: %w", s.path, err)
	}
	return out, nil
}

// RemoveMaintenance implements Triage.
func (s *DB) RemoveMaintenance(ctx context.Context, id int64) (Window, error) {
	now := s.opt.now()
	var w Window
	err := s.write(ctx, "removing a maintenance window", func(conn *sql.Conn) error {
		ws, err := s.windows(ctx, conn, time.Time{})
		if err != nil {
			return err
		}
		i := slices.IndexFunc(ws, func(w Window) bool { return w.ID == id })
		if i < 0 {
			return fmt.Errorf("no maintenance window %d (fleetcheck maintenance --list shows them)", id)
		}
		w = ws[i]
		if !w.Removed.IsZero() {
			return fmt.Errorf("maintenance window %d was already removed", id)
		}
		end := later(w.Start, fromMillis(millis(now)))
		if w.End.Before(end) {
			end = w.End
		}
		if _, err := conn.ExecContext(ctx, `UPDATE maintenance SET end_at = ?, removed = ? WHERE id = ?`, millis(end), millis(now), id); err != nil {
			return err
		}
		w.End, w.Removed = end, fromMillis(millis(now))
		return nil
	})
	return w, err
}

// triageView is what readers and recordings attach to episodes: the
// acknowledgements in force and the maintenance windows not yet ended.
type triageView struct {
	acks    map[int64]*Ack   // by episode
	windows []Window         // ending after the view's time
	byID    map[int64]Window // every window an open episode opened in
}

// loadTriage reads the acknowledgements in force at now and the windows
// that end after now (those an episode may be in).
func (s *DB) loadTriage(ctx context.Context, q querier, now time.Time) (*triageView, error) {
	v := &triageView{acks: map[int64]*Ack{}, byID: map[int64]Window{}}
	rows, err := q.QueryContext(ctx, `SELECT `+ackColumns+` FROM acks a JOIN episodes e ON e.id = a.episode WHERE a.end_kind = ''`)
	if err != nil {
		return nil, fmt.Errorf("state %s: reading acknowledgements: %w", s.path, err)
	}
	for rows.Next() {
		a, err := scanAck(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("state %s: reading acknowledgements: %w", s.path, err)
		}
		v.acks[a.Episode] = &a
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, fmt.Errorf("state %s: reading acknowledgements: %w", s.path, err)
	}
	if v.windows, err = s.windows(ctx, q, now); err != nil {
		return nil, err
	}
	return v, nil
}

// window returns the window host is in at t, if any.
func (v *triageView) window(host string, t time.Time) *Window {
	for i := range v.windows {
		if v.windows[i].ActiveAt(t) && v.windows[i].Covers(host) {
			return &v.windows[i]
		}
	}
	return nil
}

// apply attaches to e what is in force at now: its acknowledgement (not
// expired, not worse than acknowledged) and its window; an episode that
// opened in a window that has ended begins at that window's end.
func (v *triageView) apply(e *Episode, maint sql.NullInt64, now time.Time) {
	if !e.Open() {
		return
	}
	if a := v.acks[e.ID]; a != nil && a.Covers(e.Status, now) {
		ack := *a
		e.Ack = &ack
	}
	if w := v.window(e.Host, now); w != nil {
		win := *w
		e.Maintenance = &win
		return
	}
	if maint.Valid {
		if w, ok := v.byID[maint.Int64]; ok && !now.Before(w.End) {
			settle(e, w.End)
		}
	}
}

// settle makes an episode that opened in a maintenance window ending at
// end an ordinary one that began then.
func settle(e *Episode, end time.Time) {
	if e.FirstSeen.Before(end) {
		e.FirstSeen = end
	}
}

// fillTriage attaches acknowledgements and windows to the open episodes
// of out; maints holds the window each episode opened in.
func (s *DB) fillTriage(ctx context.Context, out []Episode, maints []sql.NullInt64) error {
	now := s.opt.now()
	v, err := s.loadTriage(ctx, s.db, now)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(maints, func(m sql.NullInt64) bool { return m.Valid }) {
		all, err := s.windows(ctx, s.db, time.Time{})
		if err != nil {
			return err
		}
		for _, w := range all {
			v.byID[w.ID] = w
		}
	}
	for i := range out {
		v.apply(&out[i], maints[i], now)
	}
	return nil
}

// FoldHosts is a window's hosts as a node set.
func (w Window) FoldHosts() string { return nodeset.Fold(w.Hosts) }

// String names the window for messages.
func (w Window) String() string {
	return fmt.Sprintf("maintenance %d (%s, %s to %s: %s)", w.ID, strings.TrimSpace(w.Query),
		w.Start.Format("2006-01-02 15:04"), w.End.Format("2006-01-02 15:04 UTC"), w.Reason)
}
