package health

import "slices"

// StatusCounts counts hosts or results by status.
type StatusCounts struct {
	OK, Warning, Critical, Unknown, Unreachable int
}

// Add counts one more of status st.
func (c *StatusCounts) Add(st Status) {
	switch st {
	case OK:
		c.OK++
	case Warning:
		c.Warning++
	case Critical:
		c.Critical++
	case Unreachable:
		c.Unreachable++
	default:
		c.Unknown++
	}
}

// Get returns the count for status st.
func (c StatusCounts) Get(st Status) int {
	switch st {
	case OK:
		return c.OK
	case Warning:
		return c.Warning
	case Critical:
		return c.Critical
	case Unreachable:
		return c.Unreachable
	}
	return c.Unknown
}

// Total is the sum over every status.
func (c StatusCounts) Total() int {
	return c.OK + c.Warning + c.Critical + c.Unknown + c.Unreachable
}

// Failures is the sum over every status but OK.
func (c StatusCounts) Failures() int { return c.Total() - c.OK }

// Summary is the outcome of a sweep in numbers. Results of kind
// "canceled" (the sweep was interrupted before the check ran) are no
// verdict: they count in Results only, and their hosts, unless they have a
// verdict from another check, in NotChecked.
type Summary struct {
	Hosts             int                     // hosts selected (never fewer than Done+len(NotChecked))
	Done              int                     // hosts with at least one verdict
	NotChecked        []string                // hosts with results but no verdict, sorted
	HostStatus        StatusCounts            // hosts by their worst verdict (sums to Done)
	Results           StatusCounts            // every result by status
	UnreachableByKind map[string]int          // UNREACHABLE hosts by error kind
	ByTeam            map[string]StatusCounts // failed verdicts (results) by owning team (only records with an owner)
	ByTeamHosts       map[string]StatusCounts // hosts with a failed verdict owned by the team, by the worst of those
	Worst             Status                  // worst verdict, OK for none
	Complete          bool                    // every selected host was swept
}

// ExitCode is the exit code of SPEC.md for this sweep (ExitCode with the
// ending Cut when incomplete: a summary cannot tell an interruption from
// a cut, so an incomplete sweep never claims better than 3).
func (s Summary) ExitCode() int { return ExitCode(s.Worst, EndingOf(s.Complete, false)) }

// Summarize counts the sweep's results; see Tally for streams.
func Summarize(s *Sweep) Summary {
	t := NewTally()
	for _, r := range s.Results {
		t.Add(r)
	}
	return t.Summary(s.Hosts, s.Complete)
}

// UnownedTeam is the by_team key of failures whose Owner has no team.
const UnownedTeam = "unowned"

// OtherKind is the unreachable_by_kind key of UNREACHABLE results without an
// error kind.
const OtherKind = "other"

// Tally accumulates a summary one record at a time, so that streams need not
// keep every record. It is not safe for concurrent use.
type Tally struct {
	hosts   map[string]Status // hosts with a verdict
	skipped map[string]bool   // hosts with a canceled result
	kinds   map[string]string // host -> smallest error kind of its UNREACHABLE results
	results StatusCounts
	byTeam  map[string]StatusCounts
	worst   Status
	// team -> host -> worst failure the team owns on that host
	teamHosts map[string]map[string]Status
}

// NewTally returns an empty tally.
func NewTally() *Tally {
	return &Tally{
		hosts:   map[string]Status{},
		skipped: map[string]bool{},
		kinds:   map[string]string{},
		byTeam:  map[string]StatusCounts{},

		teamHosts: map[string]map[string]Status{},
	}
}

// Add counts one record.
func (t *Tally) Add(r Record) {
	t.results.Add(r.Status)
	if !r.IsVerdict() {
		t.skipped[r.Host] = true
		return
	}
	st, seen := t.hosts[r.Host]
	if !seen || r.Status.Worse(st) {
		t.hosts[r.Host] = r.Status
	}
	if r.Status == Unreachable {
		kind := r.ErrorKind
		if kind == "" {
			kind = OtherKind
		}
		if k, ok := t.kinds[r.Host]; !ok || kind < k {
			t.kinds[r.Host] = kind
		}
	}
	t.worst = Worst(t.worst, r.Status)
	if r.Owner != nil && r.Status != OK {
		team := r.Owner.Team
		if team == "" {
			team = UnownedTeam
		}
		c := t.byTeam[team]
		c.Add(r.Status)
		t.byTeam[team] = c
		hosts := t.teamHosts[team]
		if hosts == nil {
			hosts = map[string]Status{}
			t.teamHosts[team] = hosts
		}
		if st, ok := hosts[r.Host]; !ok || r.Status.Worse(st) {
			hosts[r.Host] = r.Status
		}
	}
}

// Summary returns the counts so far; selected is the number of hosts
// selected for the sweep and complete whether all of them were swept.
func (t *Tally) Summary(selected int, complete bool) Summary {
	var notChecked []string
	for host := range t.skipped {
		if _, ok := t.hosts[host]; !ok {
			notChecked = append(notChecked, host)
		}
	}
	slices.Sort(notChecked)
	s := Summary{
		Hosts:             max(selected, len(t.hosts)+len(notChecked)),
		Done:              len(t.hosts),
		NotChecked:        notChecked,
		Results:           t.results,
		UnreachableByKind: map[string]int{},
		ByTeam:            map[string]StatusCounts{},
		ByTeamHosts:       map[string]StatusCounts{},
		Worst:             t.worst,
		Complete:          complete,
	}
	for host, st := range t.hosts {
		s.HostStatus.Add(st)
		if st == Unreachable {
			s.UnreachableByKind[t.kinds[host]]++
		}
	}
	for team, c := range t.byTeam {
		s.ByTeam[team] = c
	}
	for team, hosts := range t.teamHosts {
		var c StatusCounts
		for _, st := range hosts {
			c.Add(st)
		}
		s.ByTeamHosts[team] = c
	}
	return s
}
