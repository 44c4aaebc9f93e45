package report

import "github.com/fleetcheck/fleetcheck/health"

// StatusCounts counts hosts or results by status (health.StatusCounts).
type StatusCounts = health.StatusCounts

// Summary is the outcome of a sweep in numbers (health.Summary).
type Summary = health.Summary

// Tally accumulates a summary one record at a time (health.Tally).
type Tally = health.Tally

// Summarize counts the sweep's results (health.Summarize).
func Summarize(s *Sweep) Summary { return health.Summarize(s) }

// NewTally returns an empty tally (health.NewTally).
func NewTally() *Tally { return health.NewTally() }

// CanceledKind is the error kind of a result the sweep was interrupted
// before producing (health.KindCanceled): not a verdict.
const CanceledKind = string(health.KindCanceled)

// isVerdict reports whether r is a check's verdict rather than a
// placeholder for a check an interruption prevented.
func isVerdict(r Record) bool { return r.IsVerdict() }

// otherKind is the unreachable_by_kind key of UNREACHABLE results without an
// error kind (health.OtherKind).
const otherKind = health.OtherKind
