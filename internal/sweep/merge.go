package sweep

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/fleetcheck/fleetcheck/health"
)

// DefaultMaxSkew is how far apart the starts of the shards of one sweep
// may be by default: shards of one run start within seconds of each other,
// while a shard left over from the previous hourly run is an hour older.
const DefaultMaxSkew = 30 * time.Minute

// Part is one shard's document to merge and where it came from.
type Part struct {
	Name  string        // the file it was read from ("-" for stdin), named in errors
	Sweep *health.Sweep // as decoded (health.Decode)
}

// MergeOptions says how strict Merge is.
type MergeOptions struct {
	// MaxSkew refuses shards whose starts are further apart than this;
	// 0 means DefaultMaxSkew, a negative value no limit.
	MaxSkew time.Duration
	// AllowPartial merges the shards given when some are missing; the
	// result is then not Complete and lists them in MissingShards.
	AllowPartial bool
}

// ErrNotShards is wrapped by every refusal of Merge: the documents are not
// the shards of one sweep (a configuration error, exit 78).
var ErrNotShards = errors.New("not the shards of one sweep")

// Merge combines the documents of the shards of one sweep into the whole
// sweep. It refuses, naming the file and shard, a document that is not a
// shard, shards of another sweep (query, checks or shard count differ),
// a shard given twice, a host in two shards or in a shard that does not
// hold it, shards started further apart than MaxSkew, and a missing shard
// unless AllowPartial. The whole sweep covers the hosts of every shard,
// from the first start to the last finish; it is Complete when every
// shard was and none is missing.
func Merge(parts []Part, opts MergeOptions) (*health.Sweep, error) {
	if len(parts) == 0 {
		return nil, fmt.Errorf("no shard documents: %w", ErrNotShards)
	}
	maxSkew := opts.MaxSkew
	if maxSkew == 0 {
		maxSkew = DefaultMaxSkew
	}
	first := parts[0]
	byIndex := map[int]Part{}
	for _, p := range parts {
		if p.Sweep.Shard == nil {
			return nil, fmt.Errorf("%s: not a shard's document (no \"shard\" field; sweep with --shard I/N): %w", p.Name, ErrNotShards)
		}
		if err := sameSweep(first, p); err != nil {
			return nil, err
		}
		if prev, ok := byIndex[p.Sweep.Shard.Index]; ok {
			return nil, fmt.Errorf("%s: shard %v again, already read from %s: %w", p.Name, *p.Sweep.Shard, prev.Name, ErrNotShards)
		}
		byIndex[p.Sweep.Shard.Index] = p
	}
	if err := disjointHosts(parts); err != nil {
		return nil, err
	}
	if err := withinSkew(parts, maxSkew); err != nil {
		return nil, err
	}
	count := first.Sweep.Shard.Count
	whole := &health.Sweep{Query: first.Sweep.Query, Checks: first.Sweep.Checks, Complete: true}
	for i := range count {
		if _, ok := byIndex[i]; !ok {
			whole.MissingShards = append(whole.MissingShards, health.Shard{Index: i, Count: count})
		}
	}
	if len(whole.MissingShards) > 0 && !opts.AllowPartial {
		return nil, fmt.Errorf("missing %s (have %d of %d; --allow-partial merges what is there): %w",
			health.ShardList(whole.MissingShards), len(parts), count, ErrNotShards)
	}
	n := 0
	for _, p := range parts {
		n += len(p.Sweep.Results)
	}
	whole.Results = make([]health.Record, 0, n)
	for i, p := range parts {
		s := p.Sweep
		whole.Hosts += s.Hosts
		whole.Complete = whole.Complete && s.Complete
		if i == 0 || s.Started.Before(whole.Started) {
			whole.Started = s.Started
		}
		if s.Finished.After(whole.Finished) {
			whole.Finished = s.Finished
		}
		whole.Results = append(whole.Results, s.Results...)
	}
	whole.Complete = whole.Complete && len(whole.MissingShards) == 0
	return whole, nil
}

// label names a part in errors: its file and shard.
func (p Part) label() string {
	if p.Sweep.Shard == nil {
		return p.Name
	}
	return fmt.Sprintf("%s (shard %v)", p.Name, *p.Sweep.Shard)
}

// sameSweep refuses p when it is not a shard of the sweep first is a shard of.
func sameSweep(first, p Part) error {
	a, b := first.Sweep, p.Sweep
	var what, want, got string
	switch {
	case a.Shard.Count != b.Shard.Count:
		what, want, got = "shard count", fmt.Sprint(a.Shard.Count), fmt.Sprint(b.Shard.Count)
	case a.Query != b.Query:
		what, want, got = "query", fmt.Sprintf("%q", a.Query), fmt.Sprintf("%q", b.Query)
	case !slices.Equal(a.Checks, b.Checks):
		what, want, got = "checks", fmt.Sprintf("%q", a.Checks), fmt.Sprintf("%q", b.Checks)
	default:
		return nil
	}
	return fmt.Errorf("%s: %s %s, but %s has %s: a shard of another sweep: %w", p.label(), what, got, first.label(), want, ErrNotShards)
}

// disjointHosts refuses a host in two shards, and a host in a shard that
// does not hold it (a document of another sharding, or edited).
func disjointHosts(parts []Part) error {
	seen := map[string]Part{}
	for _, p := range parts {
		sh := Shard{Index: p.Sweep.Shard.Index, Count: p.Sweep.Shard.Count}
		for _, r := range p.Sweep.Results {
			prev, ok := seen[r.Host]
			if !ok {
				if !sh.Holds(r.Host) {
					return fmt.Errorf("%s: host %s is not in that shard: %w", p.label(), r.Host, ErrNotShards)
				}
				seen[r.Host] = p
				continue
			}
			if prev.Sweep != p.Sweep {
				return fmt.Errorf("host %s is in two shards, %s and %s: %w", r.Host, prev.label(), p.label(), ErrNotShards)
			}
		}
	}
	return nil
}

// withinSkew refuses shards whose starts are further apart than max (when
// max is positive), naming the earliest and the latest.
func withinSkew(parts []Part, limit time.Duration) error {
	if limit < 0 {
		return nil
	}
	early, late := parts[0], parts[0]
	for _, p := range parts[1:] {
		if p.Sweep.Started.Before(early.Sweep.Started) {
			early = p
		}
		if p.Sweep.Started.After(late.Sweep.Started) {
			late = p
		}
	}
	if d := late.Sweep.Started.Sub(early.Sweep.Started); d > limit {
		return fmt.Errorf("%s started %s, %v before %s (more than --max-skew %v): a stale shard of an earlier run?: %w",
			early.label(), early.Sweep.Started.Format(time.RFC3339), d.Round(time.Second), late.label(), limit, ErrNotShards)
	}
	return nil
}

// MergeArgs checks merge's command line: at least one shard file, '-'
// (stdin) at most once and --max-skew (maxSkew as given: 0 is no limit)
// not negative. It returns the options for Merge.
func MergeArgs(files []string, maxSkew time.Duration, allowPartial bool) (MergeOptions, error) {
	o := MergeOptions{MaxSkew: maxSkew, AllowPartial: allowPartial}
	switch i := slices.Index(files, "-"); {
	case len(files) == 0:
		return o, errors.New("merge: at least one shard FILE is required ('-' for stdin)")
	case i >= 0 && slices.Contains(files[i+1:], "-"):
		return o, errors.New("merge: '-' (stdin) given twice")
	case maxSkew < 0:
		return o, fmt.Errorf("--max-skew: expected a duration of 0 or more, found %v", maxSkew)
	case maxSkew == 0:
		o.MaxSkew = -1 // no limit
	}
	return o, nil
}
