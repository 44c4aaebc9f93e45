package health

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Metric is one number a check measured, with Nagios perfdata semantics.
type Metric struct {
	Name  string   // label, e.g. "age" or "/var"
	Value float64  // the measured value
	Unit  string   // "s", "ms", "%", "B", "KB", "MB", "GB", "TB", "c" or ""
	Warn  string   // warning range as written (Nagios range syntax), may be empty
	Crit  string   // critical range as written, may be empty
	Min   *float64 // optional minimum
	Max   *float64 // optional maximum
}

// Result is a check's verdict on one host.
type Result struct {
	Host      string        // inventory name of the host
	Check     string        // configured check name
	Status    Status        // the verdict
	Summary   string        // one line, no newline
	Details   string        // optional multi-line detail
	Metrics   []Metric      // optional numbers with units
	Duration  time.Duration // time the check took on the host
	ErrorKind string        // transport cause of an UNREACHABLE or UNKNOWN result ("timeout"), else empty
	// Reason is a short stable word for why a result is not OK
	// ("catalog_failed", "stale", "fs_full"), set by the check; the table
	// and digests group by it. Empty for OK and where a check sets none.
	Reason string
}

// Owner is who triages one failure, and why.
type Owner struct {
	Team         string        // owning team; the fallback team when Unowned
	Rule         string        // id of the rule that decided, "" when none matched
	Unowned      bool          // no rule owns it (or the winning rule says owner: null)
	ProductOwner string        // product owner team, may be ""
	AlsoNotify   []string      // extra recipients, owner unchanged
	SLA          time.Duration // triage deadline for the failure's severity; 0 when none
}

// Record is one attributed result.
type Record struct {
	Result
	Owner *Owner // nil when no owners file is configured (and for OK results)
}

// IsVerdict reports whether r is a check's verdict rather than a
// placeholder for a check an interruption prevented (KindCanceled).
func (r Record) IsVerdict() bool { return r.ErrorKind != string(KindCanceled) }

// Sweep is a whole run: what was asked and every record produced.
type Sweep struct {
	Query    string   // the query as given
	Checks   []string // configured check names, in order
	Hosts    int      // hosts selected
	Started  time.Time
	Finished time.Time
	Complete bool     // false when interrupted or cut by --global-timeout
	Results  []Record // any order; formats sort as they need
	// Shard is the share of the hosts this sweep covered (--shard I/N);
	// nil for a whole sweep, merged ones included.
	Shard *Shard
	// MissingShards lists the shards a partial merge (--allow-partial)
	// went without, by index; empty otherwise. Such a sweep is not Complete.
	MissingShards []Shard
}

// Shard is one share of a sharded sweep: Index of Count, 0 <= Index < Count.
type Shard struct {
	Index, Count int
}

// String writes the shard as I/N, as --shard takes it.
func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// ShardList writes shards for people: "shard 1/4" or "shards 1/4, 3/4".
func ShardList(shards []Shard) string {
	names := make([]string, len(shards))
	for i, s := range shards {
		names[i] = s.String()
	}
	if len(names) == 1 {
		return "shard " + names[0]
	}
	return "shards " + strings.Join(names, ", ")
}

// Elapsed is the sweep's wall time, never negative.
func (s *Sweep) Elapsed() time.Duration {
	d := s.Finished.Sub(s.Started)
	if d < 0 {
		return 0
	}
	return d
}

// SortedRecords returns the records ordered by host, then check (stable
// otherwise), without touching recs.
func SortedRecords(recs []Record) []Record {
	out := slices.Clone(recs)
	slices.SortStableFunc(out, func(a, b Record) int {
		if c := strings.Compare(a.Host, b.Host); c != 0 {
			return c
		}
		return strings.Compare(a.Check, b.Check)
	})
	return out
}
