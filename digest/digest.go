// Package digest turns the history of failure episodes into per-team
// digests: what is new since the team's last digest, what is ongoing
// (age, SLA state, worst first) and what was resolved (fixed or gone),
// with hosts folded into node sets and identical failures grouped. It is
// pure: the caller reads the store and the owners file.
package digest

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/fleetcheck/fleetcheck/health"
	"github.com/fleetcheck/fleetcheck/inventory/nodeset"
	"github.com/fleetcheck/fleetcheck/state"
)

// Schema is the schema name of the JSON digest document.
const Schema = "fleetcheck.digest/v1"

// DefaultWindow is how far back a team that was never shown a digest
// looks: older open failures are ongoing, not new.
const DefaultWindow = 24 * time.Hour

// Input is what a digest is made from.
type Input struct {
	// Episodes are the open episodes and those that ended since the
	// earliest window start (state.EpisodeFilter{Since: ...}).
	Episodes []state.Episode
	// Now is when the digest is made; ages and SLA clocks count to it.
	Now time.Time
	// Since returns where team's window starts: what began after it is
	// new, what ended after it resolved (the time of its last delivered
	// digest, or --since).
	Since func(team string) time.Time
	// SLA returns team's triage deadline for status, 0 when none.
	SLA func(team string, status health.Status) time.Duration
	// Team keeps only that team's digest when not empty.
	Team string
	// Sweep is the sweep the digest follows, nil when not known.
	Sweep *state.Sweep
	// Budget returns team's error budget for the header, nil when none.
	Budget func(team string) *Budget
}

// Digest is the document: one section per team.
type Digest struct {
	Schema      string    `json:"schema"`
	GeneratedAt time.Time `json:"generated_at"`
	Sweep       *SweepRef `json:"sweep,omitempty"`
	Teams       []Team    `json:"teams"`
}

// SweepRef names the sweep a digest follows.
type SweepRef struct {
	ID       int64     `json:"id"`
	Query    string    `json:"query"`
	Started  time.Time `json:"started_at"`
	Finished time.Time `json:"finished_at"`
	Complete bool      `json:"complete"`
}

// Team is one team's digest.
//
// Each open failure is in exactly one of New, Ongoing, Acknowledged,
// Maintenance and Flapping: one in a maintenance window is listed under
// Maintenance (never notified, whether acknowledged or not); else one
// flapping under Flapping, once with its count; else one acknowledged
// under Acknowledged; else New or Ongoing.
type Team struct {
	Team         string    `json:"team"`
	Since        time.Time `json:"since"`
	Budget       *Budget   `json:"budget,omitempty"`
	New          []Group   `json:"new"`
	Ongoing      []Group   `json:"ongoing"`
	Acknowledged []Group   `json:"acknowledged"`
	Maintenance  []Group   `json:"maintenance"`
	Flapping     []Group   `json:"flapping"`
	Resolved     []Group   `json:"resolved"`
}

// Empty reports whether the team has nothing to be told.
func (t Team) Empty() bool {
	return len(t.New)+len(t.Ongoing)+len(t.Acknowledged)+len(t.Maintenance)+len(t.Flapping)+len(t.Resolved) == 0
}

// Group is identical failures of several hosts: same check, status,
// summary, owner rule and (for ongoing ones) SLA state.
type Group struct {
	Check     string        `json:"check"` // "" for hosts that could not be reached
	Status    health.Status `json:"status"`
	Summary   string        `json:"summary"`
	Reason    string        `json:"reason,omitempty"`
	Unowned   bool          `json:"unowned"`
	Rule      string        `json:"rule,omitempty"`
	Hosts     string        `json:"hosts"` // folded node set
	Count     int           `json:"count"`
	FirstSeen time.Time     `json:"first_seen"` // the oldest of the group
	LastSeen  time.Time     `json:"last_seen"`  // the newest sighting of the group
	Age       Seconds       `json:"age_s"`      // now - first_seen (until ended for resolved ones)
	SLA       *SLA          `json:"sla,omitempty"`
	End       state.End     `json:"end,omitempty"` // fixed or gone, for resolved ones
	Ended     *time.Time    `json:"ended,omitempty"`
	Ack       *AckRef       `json:"ack,omitempty"`         // for acknowledged ones
	InMaint   *MaintRef     `json:"maintenance,omitempty"` // for ones in a maintenance window
	Flaps     int           `json:"flaps,omitempty"`       // for flapping ones: resolutions in 24h
}

// AckRef is who acknowledged a group, why and until when.
type AckRef struct {
	By     string    `json:"by"`
	Reason string    `json:"reason"`
	Until  time.Time `json:"until,omitzero"` // zero: until resolved or worse
}

// MaintRef is the maintenance window a group is in.
type MaintRef struct {
	ID     int64     `json:"id"`
	Reason string    `json:"reason"`
	End    time.Time `json:"end"`
}

// SLA is where an episode stands against its team's deadline.
type SLA struct {
	State    SLAState  `json:"state"`
	Deadline Seconds   `json:"deadline_s"` // the deadline for the severity
	Due      time.Time `json:"due"`        // when it is (was) breached
	Breached Seconds   `json:"breached_s,omitempty"`
}

// SLAState is ok, near (75% of the deadline used) or breached.
type SLAState string

// The SLA states.
const (
	SLAOK       SLAState = "ok"
	SLANear     SLAState = "near"
	SLABreached SLAState = "breached"
)

// Seconds is a duration written in JSON as whole seconds.
type Seconds int64

// Duration is s as a time.Duration.
func (s Seconds) Duration() time.Duration { return time.Duration(s) * time.Second }

func seconds(d time.Duration) Seconds { return Seconds(d / time.Second) }

// Clock returns where an episode stands against deadline (0: no SLA, nil),
// counted from when the episode first reached its current status.
func Clock(e state.Episode, deadline time.Duration, now time.Time) *SLA {
	if deadline <= 0 || !e.Open() {
		return nil
	}
	start, ok := e.Reached(e.Status)
	if !ok {
		start = e.FirstSeen
	}
	used := now.Sub(start)
	s := &SLA{State: SLAOK, Deadline: seconds(deadline), Due: start.Add(deadline)}
	switch {
	case used >= deadline:
		s.State, s.Breached = SLABreached, seconds(used-deadline)
	case used*4 >= deadline*3:
		s.State = SLANear
	}
	return s
}

// TeamOf is the team an episode belongs to: its owner's, or
// health.UnownedTeam without an owners file.
func TeamOf(e state.Episode) string {
	if e.Owner.Team == "" {
		return health.UnownedTeam
	}
	return e.Owner.Team
}

// Make builds the digest.
func Make(in Input) Digest {
	d := Digest{Schema: Schema, GeneratedAt: in.Now.UTC(), Teams: []Team{}}
	if in.Sweep != nil {
		d.Sweep = &SweepRef{ID: in.Sweep.ID, Query: in.Sweep.Query, Started: in.Sweep.Started, Finished: in.Sweep.Finished, Complete: in.Sweep.Complete}
	}
	byTeam := map[string][]state.Episode{}
	unownedTeams := map[string]bool{}
	for _, e := range in.Episodes {
		team := TeamOf(e)
		if in.Team != "" && team != in.Team {
			continue
		}
		byTeam[team] = append(byTeam[team], e)
		unownedTeams[team] = unownedTeams[team] || e.Owner.Unowned
	}
	for team, eps := range byTeam {
		since := time.Time{}
		if in.Since != nil {
			since = in.Since(team)
		}
		t := Team{Team: team, Since: since.UTC(), New: []Group{}, Ongoing: []Group{}, Acknowledged: []Group{},
			Maintenance: []Group{}, Flapping: []Group{}, Resolved: []Group{}}
		if in.Budget != nil {
			t.Budget = in.Budget(team)
		}
		flaps := Flaps(eps, in.Now)
		var news, ongoing, acked, maint, flapping, resolved []state.Episode
		for _, e := range eps {
			k := [2]string{e.Host, e.Check}
			switch {
			case e.Open() && e.Maintenance != nil:
				maint = append(maint, e)
			case flaps[k].Count > 0:
				// Shown once: its newest episode stands for the rest.
				if flaps[k].Newest == e.ID && (e.Open() || !e.Ended.Before(since)) {
					flapping = append(flapping, e)
				}
			case !e.Open():
				if !e.Ended.Before(since) {
					resolved = append(resolved, e)
				}
			case e.Ack != nil:
				acked = append(acked, e)
			case e.FirstSeen.After(since):
				news = append(news, e)
			default:
				ongoing = append(ongoing, e)
			}
		}
		sla := func(e state.Episode) *SLA {
			if in.SLA == nil {
				return nil
			}
			return Clock(e, in.SLA(team, e.Status), in.Now)
		}
		none := func(state.Episode) *SLA { return nil }
		t.New = group(news, in.Now, sla, nil)
		t.Ongoing = group(ongoing, in.Now, sla, nil)
		t.Acknowledged = group(acked, in.Now, sla, nil)
		t.Maintenance = group(maint, in.Now, none, nil)
		t.Flapping = group(flapping, in.Now, none, func(e state.Episode) int { return flaps[[2]string{e.Host, e.Check}].Count })
		t.Resolved = group(resolved, in.Now, none, nil)
		if !t.Empty() {
			d.Teams = append(d.Teams, t)
		}
	}
	// Teams holding unowned failures first, then by name.
	slices.SortFunc(d.Teams, func(a, b Team) int {
		if unownedTeams[a.Team] != unownedTeams[b.Team] {
			if unownedTeams[a.Team] {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Team, b.Team)
	})
	return d
}

// groupKey is what makes failures identical.
type groupKey struct {
	check, summary, reason, rule string
	status                       health.Status
	unowned                      bool
	sla                          SLAState
	end                          state.End
	ack                          AckRef
	maint                        int64
	flaps                        int
}

// group folds identical failures together and orders them: unowned
// first, then breached, near, ok, then worst status, then oldest, then
// by check.
func group(eps []state.Episode, now time.Time, sla func(state.Episode) *SLA, flaps func(state.Episode) int) []Group {
	type acc struct {
		g     Group
		hosts []string
		seen  map[string]bool // a host flapping or failing twice counts once
	}
	groups := map[groupKey]*acc{}
	var order []groupKey
	for _, e := range eps {
		s := sla(e)
		k := groupKey{check: e.Check, summary: e.Summary, reason: e.Reason, rule: e.Owner.Rule, status: e.Status, unowned: e.Owner.Unowned, end: e.End}
		if s != nil {
			k.sla = s.State
		}
		g := Group{Check: e.Check, Status: e.Status, Summary: e.Summary, Reason: e.Reason, Unowned: e.Owner.Unowned,
			Rule: e.Owner.Rule, FirstSeen: e.FirstSeen, LastSeen: e.LastSeen, End: e.End}
		if e.Ack != nil {
			g.Ack = &AckRef{By: e.Ack.By, Reason: e.Ack.Reason, Until: e.Ack.Until}
			k.ack = *g.Ack
		}
		if e.Maintenance != nil && e.Open() {
			g.InMaint = &MaintRef{ID: e.Maintenance.ID, Reason: e.Maintenance.Reason, End: e.Maintenance.End}
			k.maint = g.InMaint.ID
		}
		if flaps != nil {
			g.Flaps = flaps(e)
			k.flaps = g.Flaps
		}
		a := groups[k]
		if a == nil {
			a = &acc{g: g, seen: map[string]bool{}}
			groups[k] = a
			order = append(order, k)
		}
		if !a.seen[e.Host] {
			a.seen[e.Host] = true
			a.hosts = append(a.hosts, e.Host)
		}
		if e.FirstSeen.Before(a.g.FirstSeen) {
			a.g.FirstSeen = e.FirstSeen
		}
		if e.LastSeen.After(a.g.LastSeen) {
			a.g.LastSeen = e.LastSeen
		}
		// The group's clock is its oldest member's: the one most overdue.
		if s != nil && (a.g.SLA == nil || s.Due.Before(a.g.SLA.Due)) {
			a.g.SLA = s
		}
		if !e.Open() && (a.g.Ended == nil || e.Ended.After(*a.g.Ended)) {
			ended := e.Ended
			a.g.Ended = &ended
		}
	}
	out := make([]Group, 0, len(order))
	for _, k := range order {
		a := groups[k]
		a.g.Hosts, a.g.Count = nodeset.Fold(a.hosts), len(a.hosts)
		until := now
		if a.g.Ended != nil {
			until = *a.g.Ended
		}
		a.g.Age = seconds(until.Sub(a.g.FirstSeen))
		out = append(out, a.g)
	}
	slices.SortStableFunc(out, func(a, b Group) int {
		if a.Unowned != b.Unowned {
			if a.Unowned {
				return -1
			}
			return 1
		}
		if c := cmp.Compare(slaRank(b.SLA), slaRank(a.SLA)); c != 0 {
			return c
		}
		if a.Status != b.Status {
			if a.Status.Worse(b.Status) {
				return -1
			}
			if b.Status.Worse(a.Status) {
				return 1
			}
		}
		if c := a.FirstSeen.Compare(b.FirstSeen); c != 0 {
			return c
		}
		return cmp.Or(strings.Compare(a.Check, b.Check), strings.Compare(a.Summary, b.Summary), strings.Compare(a.Hosts, b.Hosts))
	})
	return out
}

// Flap is what Flaps says of one flapping (host, check).
type Flap struct {
	Count  int   // resolutions in the flap window
	Newest int64 // the episode that stands for the others
}

// Flaps finds the flapping (host, check)s among eps: those with
// state.FlapCount or more episodes that opened and were fixed within
// state.FlapWindow before now. Each maps to its count and its newest
// episode (the open one, if any), which alone is shown.
func Flaps(eps []state.Episode, now time.Time) map[[2]string]Flap {
	from := now.Add(-state.FlapWindow)
	counts := map[[2]string]int{}
	newest := map[[2]string]state.Episode{}
	for _, e := range eps {
		k := [2]string{e.Host, e.Check}
		if e.End == state.EndFixed && !e.FirstSeen.Before(from) {
			counts[k]++
		}
		if n, ok := newest[k]; !ok || e.FirstSeen.After(n.FirstSeen) {
			newest[k] = e
		}
	}
	out := map[[2]string]Flap{}
	for k, n := range counts {
		if n >= state.FlapCount {
			out[k] = Flap{Count: n, Newest: newest[k].ID}
		}
	}
	return out
}

func slaRank(s *SLA) int {
	if s == nil {
		return 0
	}
	switch s.State {
	case SLABreached:
		return 3
	case SLANear:
		return 2
	}
	return 1
}
