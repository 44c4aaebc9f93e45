// Package report renders sweeps for people and machines: the grouped table,
// versioned JSON, streamed NDJSON and Prometheus text exposition. It knows
// nothing of where results came from.
package report

import (
	"errors"
	"io"
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
	Query    string    // the query as given
	Checks   []string  // configured check names, in order
	Hosts    int       // hosts selected
	Started  time.Time
	Finished time.Time
	Complete bool     // false when interrupted or cut by --global-timeout
	Results  []Record // any order; formats sort as they need
}

// Table writes the grouped failure table and summary line for people.
func Table(w io.Writer, s *Sweep, opts TableOptions) error {
	return errors.New("report: not implemented yet")
}

// TableOptions tune the table for its terminal.
type TableOptions struct {
	Color bool // colour statuses (only on a terminal, never with NO_COLOR)
	Width int  // terminal width in columns; 0 means 120
}

// JSON writes the fleetcheck.sweep/v1 document.
func JSON(w io.Writer, s *Sweep) error {
	return errors.New("report: not implemented yet")
}
