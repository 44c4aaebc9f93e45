// Package state is fleetcheck's history: the sweeps it ran and the failure
// episodes they saw, behind the Store interface, implemented by DB on
// SQLite (Open, the embedded default) or PostgreSQL (OpenPostgres, a
// history shared by several runners; OpenAny chooses by the --state
// value). DB's SQL is written once; a small dialect (dialect.go) holds
// what differs: placeholders, migrations, the schema version, the write
// lock and its errors.
//
// How a sweep is recorded: Begin opens one write transaction and loads the
// open episodes (never the OK results of the past); Add streams each
// record of the sweep into it as the record arrives, so that memory grows
// with the failures, not with the hosts; Commit applies what only the end
// of a sweep can decide (unreachable hosts, hosts and checks gone from the
// inventory or configuration) and commits. A crash or Abort leaves the
// store as it was before the sweep. On PostgreSQL, where several runners
// record at once, Add keeps what can change the history and Commit
// applies it under the write lock (see spooled).
//
// How the store learns what left the inventory: the caller passes the
// whole inventory's host names and the configured check names in
// SweepInfo (Inventory, Configured); an open episode of a host not in
// Inventory, or of a check not in Configured, ends as gone. Leaving either
// nil means "unknown": nothing ends as gone for that reason.
package state

import (
	"context"
	"time"

	"github.com/fleetcheck/fleetcheck/health"
)

// HostCheck is the check name of a host's own episode: the host could not
// be reached (any result UNREACHABLE).
const HostCheck = ""

// End says how an episode ended.
type End string

// The endings of an episode; EndNone is an open episode.
const (
	EndNone  End = ""
	EndFixed End = "fixed" // seen OK (or the host reachable again)
	EndGone  End = "gone"  // the host left the inventory, or the check the configuration
)

// Store is the history of sweeps. Every method that touches the database
// takes a context; a Store is safe for concurrent use.
type Store interface {
	Triage
	// Begin starts recording a sweep. On SQLite it fails at once (after
	// the busy timeout) with ErrLocked when another sweep is recording; on
	// PostgreSQL sweeps record at once and Commit waits for the others'.
	Begin(ctx context.Context, info SweepInfo) (Recording, error)
	// Sweeps returns the recorded sweeps, newest first; limit <= 0 means all.
	Sweeps(ctx context.Context, limit int) ([]Sweep, error)
	// Episodes returns the episodes f selects with their changes, oldest first.
	Episodes(ctx context.Context, f EpisodeFilter) ([]Episode, error)
	// LastDelivered returns what team's last delivered digest covered; ok
	// is false when none was ever delivered.
	LastDelivered(ctx context.Context, team string) (d Delivered, ok bool, err error)
	// MarkDelivered records that team was shown everything up to sweep, at
	// at: the next digest's "new" starts there. Only delivery calls it.
	MarkDelivered(ctx context.Context, team string, sweep int64, at time.Time) error
	// Deliveries is the outbox and what delivery remembers (outbox.go).
	Deliveries
	// Close releases the store.
	Close() error
}

// Recording is one sweep being recorded, in one transaction.
type Recording interface {
	// Add records one result of the sweep and says what it is in the
	// history (new, ongoing since when).
	Add(ctx context.Context, rec health.Record) (Mark, error)
	// Commit finishes the sweep and makes it durable.
	Commit(ctx context.Context, end SweepEnd) (Sweep, error)
	// Abort drops everything recorded; after Commit it does nothing.
	Abort() error
}

// SweepInfo is what a sweep is about, known before it starts.
type SweepInfo struct {
	Query   string    // the query as given
	Checks  []string  // the checks the sweep runs
	Hosts   []string  // the hosts it sweeps (its scope); stored folded
	Shard   *Shard    // nil when unsharded
	Started time.Time // zero: the store's clock
	// Inventory is every host of the inventory (not only the selected
	// ones); nil means unknown. Open episodes of other hosts end as gone.
	Inventory []string
	// Configured is every configured check; nil means unknown. Open
	// episodes of other checks end as gone.
	Configured []string
}

// Shard is one runner's share of the hosts.
type Shard struct {
	Index, Count int
}

// SweepEnd is how a sweep ended.
type SweepEnd struct {
	Finished time.Time // zero: the store's clock
	Complete bool      // false when interrupted or cut short
}

// Mark is what Add says of a result: for a failure, whether its episode is
// new in this sweep and since when it has been failing.
type Mark struct {
	Episode   int64     // 0 for an OK result or one that was not a verdict
	New       bool      // the episode began in this sweep
	FirstSeen time.Time // when the episode began
	Ack       *Ack      // the acknowledgement still covering it, nil when none
	// Maintenance is the window the host is in, nil when none.
	Maintenance *Window
	// Flaps is how often this host and check opened and resolved in the
	// FlapWindow before the sweep when that is FlapCount or more (it is
	// flapping), else 0.
	Flaps int
}

// FlapWindow and FlapCount define flapping: an episode of a (host,
// check) that opened and resolved (fixed) FlapCount or more times within
// FlapWindow is flapping.
const (
	FlapWindow = 24 * time.Hour
	FlapCount  = 3
)

// Flapping reports whether the mark's failure is flapping.
func (m Mark) Flapping() bool { return m.Flaps >= FlapCount }

// Sweep is one recorded sweep.
type Sweep struct {
	ID       int64
	Started  time.Time
	Finished time.Time
	Query    string
	Checks   []string
	Hosts    int    // hosts in scope
	Scope    string // the hosts in scope, folded into a node set
	Shard    *Shard
	Complete bool
	Counts   Counts
}

// Counts are a sweep's per-status and per-change counts.
type Counts struct {
	Results     int `json:"results"`
	OK          int `json:"ok"`
	Warning     int `json:"warning"`
	Critical    int `json:"critical"`
	Unknown     int `json:"unknown"`
	Unreachable int `json:"unreachable"`
	NotRun      int `json:"not_run"` // left unchecked by an interruption
	Opened      int `json:"opened"`
	Worsened    int `json:"worsened"`
	Improved    int `json:"improved"`
	Fixed       int `json:"fixed"`
	Gone        int `json:"gone"`
}

// Episode is one failure of one (host, check), from the first sweep that
// saw it failing to the first that saw it OK (or found it gone).
type Episode struct {
	ID         int64
	Host       string
	Check      string // HostCheck for the host's unreachability
	Status     health.Status
	Summary    string
	Reason     string
	ErrorKind  string
	Owner      health.Owner // owner at the last change
	FirstSeen  time.Time
	LastSeen   time.Time // last sweep that saw it failing
	FirstSweep int64
	LastSweep  int64
	Ended      time.Time // zero while open
	End        End
	EndSweep   int64
	Changes    []Change // the first is the opening, oldest first
	// Ack is the acknowledgement in force when the episode was read (nil:
	// none); open episodes only.
	Ack *Ack
	// Maintenance is the window the episode's host is in when the episode
	// was read (nil: none); open episodes only. See Triage.
	Maintenance *Window
}

// Change is one status (or owner) change of an episode.
type Change struct {
	Sweep   int64
	At      time.Time
	Status  health.Status
	Summary string
	Owner   health.Owner
}

// Open reports whether the episode has not ended.
func (e Episode) Open() bool { return e.End == EndNone }

// Worst is the worst status the episode reached.
func (e Episode) Worst() health.Status {
	w := e.Status
	for _, c := range e.Changes {
		w = health.Worst(w, c.Status)
	}
	return w
}

// Reached returns when the episode first reached status, and false when
// it never did. The SLA clock of a severity counts from there.
// A change before FirstSeen (an episode that opened in a maintenance
// window counts from the window's end) counts from FirstSeen.
func (e Episode) Reached(status health.Status) (time.Time, bool) {
	for _, c := range e.Changes {
		if c.Status == status {
			return later(c.At, e.FirstSeen), true
		}
	}
	if e.Status == status {
		return e.FirstSeen, true
	}
	return time.Time{}, false
}

// StatusSince returns when the episode's current status began (its last
// status change).
func (e Episode) StatusSince() time.Time {
	since := e.FirstSeen
	prev := health.Status(-1)
	for _, c := range e.Changes {
		if c.Status != prev {
			since, prev = c.At, c.Status
		}
	}
	return later(since, e.FirstSeen)
}

func later(a, b time.Time) time.Time {
	if a.Before(b) {
		return b
	}
	return a
}

// EpisodeFilter selects episodes; the zero filter selects all.
type EpisodeFilter struct {
	Host     string    // only this host
	Check    *string   // only this check (HostCheck for the host's own)
	Team     string    // only episodes whose current owner is this team
	OpenOnly bool      // only open episodes
	Since    time.Time // open episodes and those that ended at or after Since
}

// Delivered is what a team's last delivered digest covered.
type Delivered struct {
	Team  string
	Sweep int64     // the newest sweep it covered
	At    time.Time // when it was delivered
}

// Options tune a store.
type Options struct {
	// Now is the store's clock; nil means time.Now. Tests use it to script
	// a history.
	Now func() time.Time
}

func (o Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}
