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

// DefaultBudgetWindow is the error budget's window when none is given.
const DefaultBudgetWindow = 30 * 24 * time.Hour

// BudgetInput is what error budgets are computed from.
//
// The denominator, host-check time: every (host, check) pair that a sweep
// started within the window had in scope (its hosts times its checks)
// and that the team owns, each counted from the first such sweep (or the
// window's start, if later) to Now, less the time its host spent in a
// maintenance window. A pair that stopped being swept still counts to
// Now: the history does not know it was fixed.
//
// The numerator, failing time: within that same time, the moments the
// pair was in an episode (from its first seen, or when it reached a
// status, to its end, or Now while open) or its host was unreachable
// (the host's own episode); each moment counts once, at its worst status
// (WARNING, CRITICAL, UNKNOWN or UNREACHABLE, reported apart).
type BudgetInput struct {
	Now    time.Time
	Window time.Duration // 0: DefaultBudgetWindow
	// Sweeps are the recorded sweeps; those started in the window count.
	Sweeps []state.Sweep
	// Episodes are the episodes open or ended within the window.
	Episodes []state.Episode
	// Maintenance are the windows that end after the window's start.
	Maintenance []state.Window
	// Owner returns the team owning host's check now.
	Owner func(host, check string) string
	// SLO returns team's objective in percent (99.5), 0 when none.
	SLO func(team string) float64
	// Team keeps only that team when not empty.
	Team string
}

// Budget is one team's error budget over a window.
type Budget struct {
	Team        string  `json:"team"`
	SLO         float64 `json:"slo,omitempty"` // percent; absent: no objective
	Window      Seconds `json:"window_s"`
	HostChecks  int     `json:"host_checks"`         // pairs in scope
	Total       Seconds `json:"total_s"`             // host-check time, maintenance excluded
	Failing     Seconds `json:"failing_s"`           // of Total, not OK
	Warning     Seconds `json:"warning_s"`           // of Failing, by status
	Critical    Seconds `json:"critical_s"`          //
	Unknown     Seconds `json:"unknown_s"`           //
	Unreachable Seconds `json:"unreachable_s"`       //
	Maintenance Seconds `json:"maintenance_s"`       // excluded from Total
	Observed    float64 `json:"observed"`            // Failing / Total
	Allowed     float64 `json:"allowed,omitempty"`   // 1 - SLO/100
	Burn        float64 `json:"burn_rate,omitempty"` // Observed / Allowed
	Left        float64 `json:"left,omitempty"`      // 1 - Burn: share of the budget left (negative: overspent)
	LeftTime    Seconds `json:"left_s,omitempty"`    // Allowed*Total - Failing, may be negative
}

// HasSLO reports whether the team has an objective (burn and left mean something).
func (b Budget) HasSLO() bool { return b.SLO > 0 }

// segment is a stretch of time at one status.
type segment struct {
	from, to time.Time
	status   health.Status
}

// Budgets computes the error budget of every team owning something in
// scope (or of in.Team), by team name.
func Budgets(in BudgetInput) []Budget {
	window := cmp.Or(in.Window, DefaultBudgetWindow)
	start := in.Now.Add(-window)
	// Pairs in scope and when each was first swept in the window.
	type pair struct{ host, check string }
	// Sweeps of one scope and checks (hourly runs of one cron line) are
	// expanded once, from the earliest of them.
	type shape struct{ scope, checks string }
	earliest := map[shape]state.Sweep{}
	for _, sw := range in.Sweeps {
		if sw.Started.Before(start) || sw.Started.After(in.Now) {
			continue
		}
		k := shape{sw.Scope, strings.Join(sw.Checks, ",")}
		if e, ok := earliest[k]; !ok || sw.Started.Before(e.Started) {
			earliest[k] = sw
		}
	}
	first := map[pair]time.Time{}
	for _, sw := range earliest {
		hosts, _ := nodeset.Expand(sw.Scope) // folded by the store itself
		for _, h := range hosts {
			for _, c := range sw.Checks {
				p := pair{h, c}
				if f, ok := first[p]; !ok || sw.Started.Before(f) {
					first[p] = sw.Started
				}
			}
		}
	}
	// Failing segments per pair, unreachable segments per host.
	checkSegs := map[pair][]segment{}
	hostSegs := map[string][]segment{}
	for _, e := range in.Episodes {
		segs := episodeSegments(e, in.Now)
		if e.Check == state.HostCheck {
			hostSegs[e.Host] = append(hostSegs[e.Host], segs...)
		} else {
			p := pair{e.Host, e.Check}
			checkSegs[p] = append(checkSegs[p], segs...)
		}
	}
	maint := map[string][]segment{}
	for _, w := range in.Maintenance {
		for _, h := range w.Hosts {
			maint[h] = append(maint[h], segment{from: w.Start, to: w.End})
		}
	}
	type acc struct {
		b                                 Budget
		total, fail, warn, crit, unk, unr time.Duration
		maint                             time.Duration
	}
	teams := map[string]*acc{}
	for p, f := range first {
		team := in.Owner(p.host, p.check)
		if in.Team != "" && team != in.Team {
			continue
		}
		a := teams[team]
		if a == nil {
			a = &acc{b: Budget{Team: team, Window: seconds(window)}}
			teams[team] = a
		}
		a.b.HostChecks++
		from := later(start, f)
		cs, hs, ms := checkSegs[p], hostSegs[p.host], maint[p.host]
		if len(cs)+len(hs)+len(ms) == 0 {
			a.total += in.Now.Sub(from)
			continue
		}
		// Cut [from, Now) at every boundary; each piece has one state.
		cuts := []time.Time{from, in.Now}
		for _, list := range [][]segment{cs, hs, ms} {
			for _, s := range list {
				cuts = append(cuts, s.from, s.to)
			}
		}
		slices.SortFunc(cuts, time.Time.Compare)
		cuts = slices.Compact(cuts)
		for i := 0; i+1 < len(cuts); i++ {
			lo, hi := cuts[i], cuts[i+1]
			if lo.Before(from) || hi.After(in.Now) {
				continue
			}
			d := hi.Sub(lo)
			if at(ms, lo) != nil {
				a.maint += d
				continue
			}
			a.total += d
			status := health.OK
			for _, list := range [][]segment{cs, hs} {
				if s := at(list, lo); s != nil {
					status = health.Worst(status, s.status)
				}
			}
			if status == health.OK {
				continue
			}
			a.fail += d
			switch status {
			case health.Warning:
				a.warn += d
			case health.Critical:
				a.crit += d
			case health.Unknown:
				a.unk += d
			default:
				a.unr += d
			}
		}
	}
	out := make([]Budget, 0, len(teams))
	for _, a := range teams {
		b := a.b
		b.Total, b.Failing, b.Maintenance = seconds(a.total), seconds(a.fail), seconds(a.maint)
		b.Warning, b.Critical, b.Unknown, b.Unreachable = seconds(a.warn), seconds(a.crit), seconds(a.unk), seconds(a.unr)
		if a.total > 0 {
			b.Observed = float64(a.fail) / float64(a.total)
		}
		if in.SLO != nil {
			b.SLO = in.SLO(b.Team)
		}
		if b.SLO > 0 {
			b.Allowed = 1 - b.SLO/100
			b.Burn = b.Observed / b.Allowed
			b.Left = 1 - b.Burn
			b.LeftTime = seconds(time.Duration(b.Allowed*float64(a.total)) - a.fail)
		}
		out = append(out, b)
	}
	slices.SortFunc(out, func(x, y Budget) int { return cmp.Compare(x.Team, y.Team) })
	return out
}

// episodeSegments is an episode as stretches at each of its statuses,
// from its first seen (a change before it, in a maintenance window that
// has ended, counts from there) to its end, or now while it is open.
func episodeSegments(e state.Episode, now time.Time) []segment {
	end := now
	if !e.Open() && e.Ended.Before(now) {
		end = e.Ended
	}
	var out []segment
	changes := e.Changes
	if len(changes) == 0 {
		changes = []state.Change{{At: e.FirstSeen, Status: e.Status}}
	}
	for i, c := range changes {
		from := later(c.At, e.FirstSeen)
		to := end
		if i+1 < len(changes) && changes[i+1].At.Before(end) {
			to = changes[i+1].At
		}
		if to.After(from) {
			out = append(out, segment{from: from, to: to, status: c.Status})
		}
	}
	return out
}

// at returns the segment of list that holds t, if any.
func at(list []segment, t time.Time) *segment {
	for i := range list {
		if !t.Before(list[i].from) && t.Before(list[i].to) {
			return &list[i]
		}
	}
	return nil
}

func later(a, b time.Time) time.Time {
	if a.Before(b) {
		return b
	}
	return a
}
