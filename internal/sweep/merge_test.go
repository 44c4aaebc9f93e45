package sweep

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/health"
)

var mergeStart = time.Date(2026, 12, 1, 18, 0, 0, 0, time.UTC)

// shardParts sweeps hosts web00..web(n-1) in count shards on paper: each
// part holds the records of its shard's hosts (two checks a host, the
// third host CRITICAL), started a second after the previous part.
func shardParts(n, count int) []Part {
	parts := make([]Part, count)
	for i := range parts {
		start := mergeStart.Add(time.Duration(i) * time.Second)
		parts[i] = Part{Name: fmt.Sprintf("shard-%d.json", i), Sweep: &health.Sweep{
			Query: "role=web", Checks: []string{"disk", "load"}, Complete: true,
			Started: start, Finished: start.Add(time.Minute), Shard: &health.Shard{Index: i, Count: count},
		}}
	}
	for h := range n {
		host := fmt.Sprintf("web%02d", h)
		for i := range parts {
			if !(Shard{Index: i, Count: count}).Holds(host) {
				continue
			}
			s := parts[i].Sweep
			s.Hosts++
			st := health.OK
			if h == 3 {
				st = health.Critical
			}
			s.Results = append(s.Results,
				health.Record{Result: health.Result{Host: host, Check: "disk", Status: st}},
				health.Record{Result: health.Result{Host: host, Check: "load", Status: health.OK}})
		}
	}
	return parts
}

func TestMergeWhole(t *testing.T) {
	parts := shardParts(30, 3)
	// Given in any order.
	parts[0], parts[2] = parts[2], parts[0]
	whole, err := Merge(parts, MergeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if whole.Hosts != 30 || len(whole.Results) != 60 || !whole.Complete || whole.Shard != nil || whole.MissingShards != nil {
		t.Errorf("merged: %d hosts, %d results, complete %v, shard %v, missing %v; want 30, 60, true, none, none",
			whole.Hosts, len(whole.Results), whole.Complete, whole.Shard, whole.MissingShards)
	}
	if !whole.Started.Equal(mergeStart) || !whole.Finished.Equal(mergeStart.Add(2*time.Second+time.Minute)) {
		t.Errorf("merged runs %v to %v, want the first start to the last finish", whole.Started, whole.Finished)
	}
	if whole.Query != "role=web" || !reflect.DeepEqual(whole.Checks, []string{"disk", "load"}) {
		t.Errorf("merged head %q %v", whole.Query, whole.Checks)
	}
	if code := health.Summarize(whole).ExitCode(); code != health.ExitCritical {
		t.Errorf("exit %d, want %d (web03 CRITICAL)", code, health.ExitCritical)
	}
	// One incomplete shard makes the sweep incomplete.
	parts[1].Sweep.Complete = false
	if whole, err = Merge(parts, MergeOptions{}); err != nil || whole.Complete {
		t.Errorf("with an interrupted shard: complete %v, %v", whole != nil && whole.Complete, err)
	}
}

func TestMergePartial(t *testing.T) {
	parts := shardParts(30, 4)
	given := []Part{parts[0], parts[2]}
	if _, err := Merge(given, MergeOptions{}); err == nil || !strings.Contains(err.Error(), "missing shards 1/4, 3/4 (have 2 of 4") {
		t.Fatalf("missing shards without --allow-partial: %v", err)
	}
	whole, err := Merge(given, MergeOptions{AllowPartial: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []health.Shard{{Index: 1, Count: 4}, {Index: 3, Count: 4}}
	if whole.Complete || !reflect.DeepEqual(whole.MissingShards, want) {
		t.Errorf("partial: complete %v, missing %v; want false, %v", whole.Complete, whole.MissingShards, want)
	}
	if whole.Hosts != parts[0].Sweep.Hosts+parts[2].Sweep.Hosts {
		t.Errorf("partial: %d hosts, want those of shards 0 and 2", whole.Hosts)
	}
	// Incomplete counts as a cut sweep: never 0, even when all it saw was OK.
	if code := health.Summarize(whole).ExitCode(); code < health.ExitCritical {
		t.Errorf("partial merge exits %d, want at least 2", code)
	}
}

func TestMergeRefuses(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(p []Part) []Part
		opts  MergeOptions
		wants []string
	}{
		{"none", func([]Part) []Part { return nil }, MergeOptions{}, []string{"no shard documents"}},
		{"missing", func(p []Part) []Part { return p[:2] }, MergeOptions{}, []string{"missing shard 2/3"}},
		{"duplicated", func(p []Part) []Part {
			return append(p, Part{Name: "copy.json", Sweep: p[1].Sweep})
		}, MergeOptions{}, []string{"copy.json: shard 1/3 again, already read from shard-1.json"}},
		{"not a shard", func(p []Part) []Part { p[1].Sweep.Shard = nil; return p }, MergeOptions{}, []string{`shard-1.json: not a shard's document`}},
		{"other query", func(p []Part) []Part { p[2].Sweep.Query = "role=db"; return p }, MergeOptions{},
			[]string{`shard-2.json (shard 2/3): query "role=db", but shard-0.json (shard 0/3) has "role=web"`}},
		{"other checks", func(p []Part) []Part { p[1].Sweep.Checks = []string{"disk"}; return p }, MergeOptions{},
			[]string{`shard-1.json (shard 1/3): checks ["disk"]`, `has ["disk" "load"]`}},
		{"other count", func(p []Part) []Part { p[2].Sweep.Shard = &health.Shard{Index: 2, Count: 4}; return p }, MergeOptions{},
			[]string{"shard-2.json (shard 2/4): shard count 4, but shard-0.json (shard 0/3) has 3"}},
		{"host in two shards", func(p []Part) []Part {
			p[1].Sweep.Results = append(p[1].Sweep.Results, p[0].Sweep.Results[0])
			return p
		}, MergeOptions{}, []string{"is in two shards, shard-0.json (shard 0/3) and shard-1.json (shard 1/3)"}},
		{"host in the wrong shard", func(p []Part) []Part {
			r := p[0].Sweep.Results[0]
			p[0].Sweep.Results = p[0].Sweep.Results[2:]
			p[1].Sweep.Results = append(p[1].Sweep.Results, r)
			return p
		}, MergeOptions{}, []string{"shard-1.json (shard 1/3): host", "is not in that shard"}},
		{"stale", func(p []Part) []Part {
			p[1].Sweep.Started = p[1].Sweep.Started.Add(-time.Hour)
			return p
		}, MergeOptions{}, []string{"shard-1.json (shard 1/3) started 2026-12-01T17:00:01Z, 1h0m1s before shard-2.json (shard 2/3) (more than --max-skew 30m0s)"}},
		{"stale beyond a tighter skew", func(p []Part) []Part { return p }, MergeOptions{MaxSkew: time.Second},
			[]string{"shard-0.json (shard 0/3) started", "2s before shard-2.json", "--max-skew 1s"}},
		{"partial still refuses a foreign shard", func(p []Part) []Part {
			p[1].Sweep.Query = "role=db"
			return p[:2]
		}, MergeOptions{AllowPartial: true}, []string{`query "role=db"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Merge(tt.edit(shardParts(30, 3)), tt.opts)
			if err == nil {
				t.Fatalf("merged %d results; want a refusal", len(s.Results))
			}
			if !errors.Is(err, ErrNotShards) {
				t.Errorf("error %q does not wrap ErrNotShards", err)
			}
			for _, want := range tt.wants {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q, want it to say %q", err, want)
				}
			}
		})
	}
	// No skew limit: shards an hour apart merge.
	parts := shardParts(30, 3)
	parts[1].Sweep.Started = parts[1].Sweep.Started.Add(-time.Hour)
	if _, err := Merge(parts, MergeOptions{MaxSkew: -1}); err != nil {
		t.Errorf("MaxSkew -1 (no limit): %v", err)
	}
}

func TestMergeArgs(t *testing.T) {
	tests := []struct {
		name  string
		files []string
		skew  time.Duration
		want  time.Duration // MaxSkew passed to Merge
		error string
	}{
		{"default skew", []string{"a", "b"}, DefaultMaxSkew, DefaultMaxSkew, ""},
		{"no limit", []string{"a"}, 0, -1, ""},
		{"stdin once", []string{"a", "-"}, time.Minute, time.Minute, ""},
		{"no files", nil, time.Minute, 0, "at least one shard FILE"},
		{"stdin twice", []string{"-", "a", "-"}, time.Minute, 0, "'-' (stdin) given twice"},
		{"negative skew", []string{"a"}, -time.Minute, 0, "--max-skew: expected a duration of 0 or more"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := MergeArgs(tt.files, tt.skew, true)
			if tt.error == "" {
				if err != nil || o.MaxSkew != tt.want || !o.AllowPartial {
					t.Fatalf("MergeArgs = %+v, %v; want MaxSkew %v", o, err, tt.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.error) {
				t.Fatalf("MergeArgs error %v, want %q", err, tt.error)
			}
		})
	}
}
