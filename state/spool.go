package state

import (
	"context"
	"fmt"
	"time"

	"github.com/fleetcheck/fleetcheck/health"
)

// spooled is a recording for a store that several runners record into at
// once (PostgreSQL): a sweep takes minutes, so holding the write lock from
// Begin to Commit would make the shards and bastions sweep one after the
// other. Instead Add keeps what the sweep saw that can change the history,
// and Commit takes the write lock and applies it with the same recording
// code as SQLite's, on the episodes open at that moment: the writers wait
// for each other only while they apply, and each applies on what the
// previous one committed, so nothing is lost or counted twice.
//
// What is kept: every failure (memory grows with the failures, as in
// SQLite's recording), and the OK results of (host, check)s that had an
// open episode at Begin or of hosts that were unreachable then (they end
// episodes). The statuses are counted here.
type spooled struct {
	s      *DB
	info   SweepInfo
	open   map[epKey]openEp // the open episodes at Begin
	hosts  map[string]bool  // hosts with an open host episode at Begin
	triage *triageView      // the acknowledgements and windows at Begin, for the marks
	flaps  map[epKey]int    // the flap counts at Begin, for the marks
	kept   []spooledRec
	counts Counts
	done   bool
}

type spooledRec struct {
	rec health.Record
	at  time.Time
}

// beginSpooled reads the open episodes (no lock: they only decide what
// to keep and the marks).
func (s *DB) beginSpooled(ctx context.Context, info SweepInfo) (*spooled, error) {
	if info.Started.IsZero() {
		info.Started = s.opt.now()
	}
	sp := &spooled{s: s, info: info, open: map[epKey]openEp{}, hosts: map[string]bool{}}
	// An episode that opened in a window ended by now begins at the
	// window's end, as the recording's settling will write.
	rows, err := s.db.QueryContext(ctx, `SELECT e.id, e.host, e.check_name,
		CASE WHEN m.end_at IS NOT NULL AND m.end_at <= ? THEN m.end_at ELSE e.first_seen END
		FROM episodes e LEFT JOIN maintenance m ON m.id = e.maint WHERE e.end_kind = ''`, millis(info.Started))
	if err != nil {
		return nil, fmt.Errorf("state %s: reading open episodes: %w", s.path, err)
	}
	defer rows.Close()
	for rows.Next() {
		var k epKey
		var ep openEp
		var first int64
		if err := rows.Scan(&ep.id, &k.host, &k.check, &first); err != nil {
			return nil, fmt.Errorf("state %s: reading open episodes: %w", s.path, err)
		}
		ep.firstSeen = fromMillis(first)
		sp.open[k] = ep
		if k.check == HostCheck {
			sp.hosts[k.host] = true
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("state %s: reading open episodes: %w", s.path, err)
	}
	if sp.triage, err = s.loadTriage(ctx, s.db, info.Started); err != nil {
		return nil, err
	}
	if sp.flaps, err = s.loadFlaps(ctx, s.db, info.Started); err != nil {
		return nil, fmt.Errorf("state %s: counting flaps: %w", s.path, err)
	}
	return sp, nil
}

// Add implements Recording. The mark comes from the episodes open at
// Begin.
func (sp *spooled) Add(_ context.Context, rec health.Record) (Mark, error) {
	if sp.done {
		return Mark{}, fmt.Errorf("state %s: Add after the sweep ended", sp.s.path)
	}
	if !rec.IsVerdict() {
		sp.counts.NotRun++
		return Mark{}, nil
	}
	sp.counts.count(rec.Status)
	at := sp.s.opt.now()
	k := epKey{rec.Host, rec.Check}
	if rec.Status == health.Unreachable {
		k.check = HostCheck
	}
	ep, open := sp.open[k]
	if rec.Status != health.OK || open || sp.hosts[rec.Host] {
		sp.kept = append(sp.kept, spooledRec{rec, at})
	}
	switch {
	case rec.Status == health.OK:
		return Mark{}, nil
	case open:
		m := markTriage(Mark{Episode: ep.id, FirstSeen: ep.firstSeen}, k, sp.triage, sp.flaps, at)
		if m.Ack != nil && ackEnding(m.Ack, rec.Status, at) != AckActive {
			m.Ack = nil // Commit ends it, as the recording does
		}
		return m, nil
	default:
		return markTriage(Mark{New: true, FirstSeen: at}, k, sp.triage, sp.flaps, at), nil
	}
}

// Commit implements Recording: under the write lock, the kept results are
// applied to the history as it is now, and committed.
func (sp *spooled) Commit(ctx context.Context, end SweepEnd) (Sweep, error) {
	if sp.done {
		return Sweep{}, fmt.Errorf("state %s: the sweep was already ended", sp.s.path)
	}
	sp.done = true
	r, err := sp.s.record(ctx, sp.info)
	if err != nil {
		return Sweep{}, err
	}
	for _, k := range sp.kept {
		if _, err := r.apply(ctx, k.rec, k.at); err != nil {
			r.Abort()
			return Sweep{}, err
		}
	}
	c := &r.counts
	c.Results, c.OK, c.Warning, c.Critical, c.Unknown, c.Unreachable, c.NotRun = sp.counts.Results, sp.counts.OK,
		sp.counts.Warning, sp.counts.Critical, sp.counts.Unknown, sp.counts.Unreachable, sp.counts.NotRun
	sp.kept = nil
	return r.Commit(ctx, end)
}

// Abort implements Recording: nothing was written.
func (sp *spooled) Abort() error {
	sp.done, sp.kept = true, nil
	return nil
}
