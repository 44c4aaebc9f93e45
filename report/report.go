// Package report renders sweeps for people and machines: the grouped table,
// versioned JSON, streamed NDJSON and Prometheus text exposition. It knows
// nothing of where results came from.
package report

import "github.com/fleetcheck/fleetcheck/health"

// Record is one attributed result (health.Record).
type Record = health.Record

// Sweep is a whole run: what was asked and every record produced (health.Sweep).
type Sweep = health.Sweep

// sortedRecords returns the records ordered by host, then check, without
// touching the sweep.
func sortedRecords(recs []Record) []Record { return health.SortedRecords(recs) }
