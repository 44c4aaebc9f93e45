package state

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fleetcheck/fleetcheck/health"
	"github.com/fleetcheck/fleetcheck/inventory/nodeset"
)

// epKey names the episode of one (host, check).
type epKey struct{ host, check string }

// openEp is what a recording keeps of an open episode.
type openEp struct {
	id        int64
	status    health.Status
	owner     health.Owner
	firstSeen time.Time
	seen      bool // seen failing in this sweep
}

// hostSeen is what a recording learned of a host that has an open host
// episode or was seen unreachable: only those hosts are kept, so memory
// grows with the failures.
type hostSeen struct {
	unreachable bool          // some result UNREACHABLE
	reachable   bool          // some verdict other than UNREACHABLE
	first       health.Record // the first UNREACHABLE result
	at          time.Time
}

// recording is one sweep being written on a dedicated connection holding
// the store's write lock.
type recording struct {
	s      *DB
	conn   *sql.Conn
	sweep  int64
	info   SweepInfo
	scope  string // info.Hosts folded
	open   map[epKey]*openEp
	hosts  map[string]*hostSeen
	counts Counts
	done   bool
	stmt   map[string]*sql.Stmt
	triage *triageView
	flaps  map[epKey]int // resolutions in the FlapWindow before the sweep
}

// The statements a recording runs once per failure.
var recordStatements = map[string]string{
	"open": `INSERT INTO episodes(host, check_name, status, summary, reason, error_kind, team, rule, unowned,
		product_owner, first_seen, last_seen, first_sweep, last_sweep, maint) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id`,
	"ackEnd": `UPDATE acks SET ended = ?, end_kind = ? WHERE id = ? AND end_kind = ''`,
	"seen": `UPDATE episodes SET status = ?, summary = ?, reason = ?, error_kind = ?, team = ?, rule = ?,
		unowned = ?, product_owner = ?, last_seen = ?, last_sweep = ? WHERE id = ?`,
	"end":    `UPDATE episodes SET ended = ?, end_kind = ?, end_sweep = ? WHERE id = ?`,
	"change": `INSERT INTO changes(episode, sweep, at, status, summary, team, rule, unowned, product_owner) VALUES(?,?,?,?,?,?,?,?,?)`,
}

func newRecording(ctx context.Context, s *DB, conn *sql.Conn, info SweepInfo) (*recording, error) {
	r := &recording{s: s, conn: conn, info: info, open: map[epKey]*openEp{}, hosts: map[string]*hostSeen{}, stmt: map[string]*sql.Stmt{}}
	if r.info.Started.IsZero() {
		r.info.Started = s.opt.now()
	}
	r.scope = nodeset.Fold(info.Hosts)
	var shardIndex, shardCount sql.NullInt64
	if info.Shard != nil {
		shardIndex = sql.NullInt64{Int64: int64(info.Shard.Index), Valid: true}
		shardCount = sql.NullInt64{Int64: int64(info.Shard.Count), Valid: true}
	}
	if err := conn.QueryRowContext(ctx, `INSERT INTO sweeps(started, query, checks, hosts, scope, shard_index, shard_count)
		VALUES(?,?,?,?,?,?,?) RETURNING id`, millis(r.info.Started), info.Query, strings.Join(info.Checks, ","),
		len(info.Hosts), r.scope, shardIndex, shardCount).Scan(&r.sweep); err != nil {
		return nil, r.fail("starting the sweep", err)
	}
	if err := r.settleTriage(ctx); err != nil {
		return nil, err
	}
	rows, err := conn.QueryContext(ctx, `SELECT id, host, check_name, status, team, rule, unowned, product_owner, first_seen
		FROM episodes WHERE end_kind = ''`)
	if err != nil {
		return nil, r.fail("reading open episodes", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k epKey
		var status string
		var first int64
		ep := &openEp{}
		if err := rows.Scan(&ep.id, &k.host, &k.check, &status, &ep.owner.Team, &ep.owner.Rule, &ep.owner.Unowned, &ep.owner.ProductOwner, &first); err != nil {
			return nil, r.fail("reading open episodes", err)
		}
		if ep.status, err = parseStatus(status); err != nil {
			return nil, r.fail(fmt.Sprintf("open episode %d", ep.id), err)
		}
		ep.firstSeen = fromMillis(first)
		r.open[k] = ep
		if k.check == HostCheck {
			r.hosts[k.host] = &hostSeen{}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, r.fail("reading open episodes", err)
	}
	for name, q := range recordStatements {
		st, err := conn.PrepareContext(ctx, q)
		if err != nil {
			return nil, r.fail("preparing", err)
		}
		r.stmt[name] = st
	}
	return r, nil
}

// settleTriage writes what time decided before the sweep: windows that
// ended turn the episodes that opened in them into ordinary ones that
// began at the window's end; acknowledgements past their until expire.
// Then it reads the acknowledgements and windows in force and how often
// each (host, check) flapped.
func (r *recording) settleTriage(ctx context.Context) error {
	at := millis(r.info.Started)
	if _, err := r.conn.ExecContext(ctx, `UPDATE episodes SET
		first_seen = (SELECT m.end_at FROM maintenance m WHERE m.id = episodes.maint), maint = NULL
		WHERE end_kind = '' AND maint IN (SELECT id FROM maintenance WHERE end_at <= ?)`, at); err != nil {
		return r.fail("ending maintenance", err)
	}
	if _, err := r.conn.ExecContext(ctx, `UPDATE acks SET ended = until_at, end_kind = ?
		WHERE end_kind = '' AND until_at IS NOT NULL AND until_at <= ?`, string(AckExpired), at); err != nil {
		return r.fail("expiring acknowledgements", err)
	}
	var err error
	if r.triage, err = r.s.loadTriage(ctx, r.conn, r.info.Started); err != nil {
		return err
	}
	if r.flaps, err = r.s.loadFlaps(ctx, r.conn, r.info.Started); err != nil {
		return r.fail("counting flaps", err)
	}
	return nil
}

// loadFlaps counts, per (host, check), the episodes fixed that began in
// the FlapWindow before started, keeping those that flap.
func (s *DB) loadFlaps(ctx context.Context, q querier, started time.Time) (map[epKey]int, error) {
	rows, err := q.QueryContext(ctx, `SELECT host, check_name, COUNT(*) FROM episodes
		WHERE end_kind = ? AND first_seen >= ? GROUP BY host, check_name`, string(EndFixed), millis(started.Add(-FlapWindow)))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	flaps := map[epKey]int{}
	for rows.Next() {
		var k epKey
		var n int
		if err := rows.Scan(&k.host, &k.check, &n); err != nil {
			return nil, err
		}
		if n >= FlapCount {
			flaps[k] = n
		}
	}
	return flaps, rows.Err()
}

// triageMark adds to m what triage says of the failure of k at status.
func (r *recording) triageMark(m Mark, k epKey, now time.Time) Mark {
	return markTriage(m, k, r.triage, r.flaps, now)
}

// markTriage adds to m what the acknowledgements and windows of v and the
// flap counts say of the failure of k at now.
func markTriage(m Mark, k epKey, v *triageView, flaps map[epKey]int, now time.Time) Mark {
	if a := v.acks[m.Episode]; a != nil && m.Episode != 0 {
		m.Ack = a
	}
	m.Maintenance = v.window(k.host, now)
	m.Flaps = flaps[k]
	return m
}

// checkAck ends the acknowledgement of an episode seen at status when it
// expired or status is worse than what was acknowledged.
func (r *recording) checkAck(ctx context.Context, id int64, status health.Status, now time.Time) error {
	a := r.triage.acks[id]
	if a == nil {
		return nil
	}
	switch ackEnding(a, status, now) {
	case AckExpired:
		return r.endAck(ctx, id, AckExpired, a.Until)
	case AckWorsened:
		return r.endAck(ctx, id, AckWorsened, now)
	}
	return nil
}

// ackEnding says how a seen at status at now ends: AckExpired past its
// until, AckWorsened when status is worse than what was acknowledged,
// else AckActive (it holds).
func ackEnding(a *Ack, status health.Status, now time.Time) AckEnd {
	switch {
	case !a.ActiveAt(now):
		return AckExpired
	case status.Worse(a.Status):
		return AckWorsened
	}
	return AckActive
}

func (r *recording) endAck(ctx context.Context, episode int64, how AckEnd, at time.Time) error {
	a := r.triage.acks[episode]
	if a == nil {
		return nil
	}
	if _, err := r.stmt["ackEnd"].ExecContext(ctx, millis(at), string(how), a.ID); err != nil {
		return r.fail("ending an acknowledgement", err)
	}
	delete(r.triage.acks, episode)
	return nil
}

func (r *recording) fail(what string, err error) error {
	return fmt.Errorf("state %s: %s: %w", r.s.path, what, err)
}

// Add implements Recording.
func (r *recording) Add(ctx context.Context, rec health.Record) (Mark, error) {
	if r.done {
		return Mark{}, fmt.Errorf("state %s: Add after the sweep ended", r.s.path)
	}
	if !rec.IsVerdict() {
		r.counts.NotRun++ // an interrupted sweep resolves nothing it did not see
		return Mark{}, nil
	}
	r.count(rec.Status)
	return r.apply(ctx, rec, r.s.opt.now())
}

// apply records one verdict seen at now (the counting of statuses is the
// caller's).
func (r *recording) apply(ctx context.Context, rec health.Record, now time.Time) (Mark, error) {
	if rec.Status == health.Unreachable {
		// Resolves and worsens nothing: the check's episode stays as it
		// is, the host's own episode is decided at Commit.
		h := r.hosts[rec.Host]
		if h == nil {
			h = &hostSeen{}
			r.hosts[rec.Host] = h
		}
		if !h.unreachable {
			h.unreachable, h.first, h.at = true, rec, now
		}
		k := epKey{rec.Host, HostCheck}
		if ep := r.open[k]; ep != nil {
			return r.triageMark(Mark{Episode: ep.id, FirstSeen: ep.firstSeen}, k, now), nil
		}
		return r.triageMark(Mark{New: true, FirstSeen: h.at}, k, now), nil
	}
	if h := r.hosts[rec.Host]; h != nil {
		h.reachable = true
	}
	k := epKey{rec.Host, rec.Check}
	ep := r.open[k]
	if rec.Status == health.OK {
		if ep != nil {
			if err := r.end(ctx, k, ep, EndFixed, now); err != nil {
				return Mark{}, err
			}
		}
		return Mark{}, nil
	}
	if ep == nil {
		ep, err := r.openEpisode(ctx, k, rec, ownerOf(rec), now)
		if err != nil {
			return Mark{}, err
		}
		return r.triageMark(Mark{Episode: ep.id, New: true, FirstSeen: now}, k, now), nil
	}
	if err := r.seen(ctx, ep, rec.Result, ownerOf(rec), now); err != nil {
		return Mark{}, err
	}
	return r.triageMark(Mark{Episode: ep.id, FirstSeen: ep.firstSeen}, k, now), nil
}

func (r *recording) count(s health.Status) { r.counts.count(s) }

// count counts one verdict of status s.
func (c *Counts) count(s health.Status) {
	c.Results++
	switch s {
	case health.OK:
		c.OK++
	case health.Warning:
		c.Warning++
	case health.Critical:
		c.Critical++
	case health.Unknown:
		c.Unknown++
	case health.Unreachable:
		c.Unreachable++
	}
}

// ownerOf is the record's owner; no owners file means unowned.
func ownerOf(rec health.Record) health.Owner {
	if rec.Owner == nil {
		return health.Owner{Unowned: true}
	}
	o := *rec.Owner
	o.AlsoNotify, o.SLA = nil, 0 // not stored: they come from the owners file when read
	return o
}

func sameOwner(a, b health.Owner) bool {
	return a.Team == b.Team && a.Rule == b.Rule && a.Unowned == b.Unowned && a.ProductOwner == b.ProductOwner
}

func (r *recording) openEpisode(ctx context.Context, k epKey, rec health.Record, o health.Owner, now time.Time) (*openEp, error) {
	var maint sql.NullInt64
	if w := r.triage.window(k.host, now); w != nil {
		maint = sql.NullInt64{Int64: w.ID, Valid: true}
	}
	ep := &openEp{status: rec.Status, owner: o, firstSeen: now, seen: true}
	if err := r.stmt["open"].QueryRowContext(ctx, k.host, k.check, rec.Status.String(), rec.Summary, rec.Reason, rec.ErrorKind,
		o.Team, o.Rule, o.Unowned, o.ProductOwner, millis(now), millis(now), r.sweep, r.sweep, maint).Scan(&ep.id); err != nil {
		return nil, r.fail("opening an episode of "+k.host, err)
	}
	if err := r.change(ctx, ep, rec.Status, rec.Summary, o, now); err != nil {
		return nil, err
	}
	r.open[k] = ep
	r.counts.Opened++
	return ep, nil
}

// seen records that an open episode was seen failing again: a status or
// owner change is a change of its own.
func (r *recording) seen(ctx context.Context, ep *openEp, res health.Result, o health.Owner, now time.Time) error {
	if _, err := r.stmt["seen"].ExecContext(ctx, res.Status.String(), res.Summary, res.Reason, res.ErrorKind,
		o.Team, o.Rule, o.Unowned, o.ProductOwner, millis(now), r.sweep, ep.id); err != nil {
		return r.fail("updating an episode of "+res.Host, err)
	}
	if err := r.checkAck(ctx, ep.id, res.Status, now); err != nil {
		return err
	}
	ep.seen = true
	if res.Status == ep.status && sameOwner(o, ep.owner) {
		return nil
	}
	switch {
	case res.Status.Worse(ep.status):
		r.counts.Worsened++
	case ep.status.Worse(res.Status):
		r.counts.Improved++
	}
	ep.status, ep.owner = res.Status, o
	return r.change(ctx, ep, res.Status, res.Summary, o, now)
}

func (r *recording) change(ctx context.Context, ep *openEp, s health.Status, summary string, o health.Owner, now time.Time) error {
	if _, err := r.stmt["change"].ExecContext(ctx, ep.id, r.sweep, millis(now), s.String(), summary,
		o.Team, o.Rule, o.Unowned, o.ProductOwner); err != nil {
		return r.fail("recording a change", err)
	}
	return nil
}

func (r *recording) end(ctx context.Context, k epKey, ep *openEp, how End, now time.Time) error {
	if _, err := r.stmt["end"].ExecContext(ctx, millis(now), string(how), r.sweep, ep.id); err != nil {
		return r.fail("ending an episode of "+k.host, err)
	}
	if err := r.endAck(ctx, ep.id, AckResolved, now); err != nil {
		return err
	}
	delete(r.open, k)
	if how == EndFixed {
		r.counts.Fixed++
	} else {
		r.counts.Gone++
	}
	return nil
}

// Commit implements Recording: it decides the hosts' own episodes and
// what is gone, writes the sweep's counts and commits.
func (r *recording) Commit(ctx context.Context, end SweepEnd) (Sweep, error) {
	if r.done {
		return Sweep{}, fmt.Errorf("state %s: the sweep was already ended", r.s.path)
	}
	if end.Finished.IsZero() {
		end.Finished = r.s.opt.now()
	}
	if err := r.hostEpisodes(ctx, end.Finished); err != nil {
		r.Abort()
		return Sweep{}, err
	}
	if err := r.gone(ctx, end.Finished); err != nil {
		r.Abort()
		return Sweep{}, err
	}
	c := r.counts
	if _, err := r.conn.ExecContext(ctx, `UPDATE sweeps SET finished = ?, complete = ?, results = ?, ok = ?, warning = ?,
		critical = ?, unknown = ?, unreachable = ?, not_run = ?, opened = ?, worsened = ?, improved = ?, fixed = ?, gone = ?
		WHERE id = ?`, millis(end.Finished), end.Complete, c.Results, c.OK, c.Warning, c.Critical, c.Unknown, c.Unreachable,
		c.NotRun, c.Opened, c.Worsened, c.Improved, c.Fixed, c.Gone, r.sweep); err != nil {
		r.Abort()
		return Sweep{}, r.fail("finishing the sweep", err)
	}
	r.closeStatements()
	if _, err := r.conn.ExecContext(ctx, "COMMIT"); err != nil {
		r.Abort()
		return Sweep{}, r.fail("committing the sweep", err)
	}
	r.done = true
	r.conn.Close()
	sw := Sweep{ID: r.sweep, Started: fromMillis(millis(r.info.Started)), Finished: fromMillis(millis(end.Finished)),
		Query: r.info.Query, Checks: r.info.Checks, Hosts: len(r.info.Hosts), Scope: r.scope,
		Shard: r.info.Shard, Complete: end.Complete, Counts: c}
	return sw, nil
}

// hostEpisodes opens, continues or ends the hosts' own episodes: a host
// with an UNREACHABLE result is unreachable; a host with an open episode
// and only other verdicts is reachable again; a host not seen at all (out
// of scope, or interrupted) is left as it is.
func (r *recording) hostEpisodes(ctx context.Context, now time.Time) error {
	for _, host := range sortedKeys(r.hosts) {
		h := r.hosts[host]
		k := epKey{host, HostCheck}
		ep := r.open[k]
		switch {
		case h.unreachable && ep == nil:
			rec := h.first
			rec.Check, rec.Reason = HostCheck, "unreachable"
			if _, err := r.openEpisode(ctx, k, rec, ownerOf(rec), h.at); err != nil {
				return err
			}
		case h.unreachable:
			res := h.first.Result
			res.Check, res.Reason = HostCheck, "unreachable"
			if err := r.seen(ctx, ep, res, ownerOf(h.first), h.at); err != nil {
				return err
			}
		case h.reachable && ep != nil:
			if err := r.end(ctx, k, ep, EndFixed, now); err != nil {
				return err
			}
		}
	}
	return nil
}

// gone ends the open episodes of hosts no longer in the inventory and of
// checks no longer configured.
func (r *recording) gone(ctx context.Context, now time.Time) error {
	if r.info.Inventory == nil && r.info.Configured == nil {
		return nil
	}
	inventory := setOf(r.info.Inventory)
	configured := setOf(r.info.Configured)
	keys := make([]epKey, 0, len(r.open))
	for k := range r.open {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b epKey) int {
		return cmp.Or(strings.Compare(a.host, b.host), strings.Compare(a.check, b.check))
	})
	for _, k := range keys {
		hostGone := inventory != nil && !inventory[k.host]
		checkGone := configured != nil && k.check != HostCheck && !configured[k.check]
		if hostGone || checkGone {
			if err := r.end(ctx, k, r.open[k], EndGone, now); err != nil {
				return err
			}
		}
	}
	return nil
}

func setOf(names []string) map[string]bool {
	if names == nil {
		return nil
	}
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func (r *recording) closeStatements() {
	for _, st := range r.stmt {
		st.Close()
	}
	r.stmt = nil
}

// Abort implements Recording.
func (r *recording) Abort() error {
	if r.done {
		return nil
	}
	r.done = true
	r.closeStatements()
	_, err := r.conn.ExecContext(context.Background(), "ROLLBACK")
	r.conn.Close()
	if err != nil {
		return r.fail("rolling back the sweep", err)
	}
	return nil
}

func parseStatus(s string) (health.Status, error) { return health.ParseStatus(s) }
