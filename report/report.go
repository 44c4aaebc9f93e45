// Package report renders sweeps for people and machines: the grouped table,
// versioned JSON, streamed NDJSON and Prometheus text exposition. It knows
// nothing of where results came from.
package report

import (
	"slices"
	"strings"
	"time"

	"github.com/fleetcheck/fleetcheck/checks"
	"github.com/fleetcheck/fleetcheck/ownership"
)

// Record is one attributed result.
type Record struct {
	checks.Result
	Owner *ownership.Owner // nil when no owners file is configured
}

// Sweep is a whole run: what was asked and every record produced.
type Sweep struct {
	Query    string   // the query as given
	Checks   []string // configured check names, in order
	Hosts    int      // hosts selected
	Started  time.Time
	Finished time.Time
	Complete bool     // false when interrupted or cut by --global-timeout
	Results  []Record // any order; formats sort as they need
}

// Elapsed is the sweep's wall time, never negative.
func (s *Sweep) Elapsed() time.Duration {
	d := s.Finished.Sub(s.Started)
	if d < 0 {
		return 0
	}
	return d
}

// sortedRecords returns the records ordered by host, then check, without
// touching the sweep.
func sortedRecords(recs []Record) []Record {
	out := make([]Record, len(recs))
	copy(out, recs)
	slices.SortStableFunc(out, func(a, b Record) int {
		if c := strings.Compare(a.Host, b.Host); c != 0 {
			return c
		}
		return strings.Compare(a.Check, b.Check)
	})
	return out
}
