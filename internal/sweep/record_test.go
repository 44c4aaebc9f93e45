package sweep

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/health"
	"github.com/fleetcheck/fleetcheck/state"
)

// openStore opens a SQLite store in a temporary directory.
func openStore(t *testing.T) *state.SQLite {
	t.Helper()
	s, err := state.Open(context.Background(), filepath.Join(t.TempDir(), "state.db"), state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// mergedSweep is a finished sweep of two hosts, a failing on disk.
func mergedSweep() *health.Sweep {
	start := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	rec := func(host, check string, st health.Status) health.Record {
		return health.Record{Result: health.Result{Host: host, Check: check, Status: st, Summary: st.String()}}
	}
	return &health.Sweep{
		Query: "all", Checks: []string{"disk", "load"}, Hosts: 2,
		Started: start, Finished: start.Add(time.Second), Complete: true,
		Shard: &health.Shard{Index: 1, Count: 3},
		Results: []health.Record{
			rec("b", "load", health.OK), rec("a", "load", health.OK),
			rec("a", "disk", health.Critical), rec("b", "disk", health.OK),
		},
	}
}

func TestReplayThroughStateSink(t *testing.T) {
	ctx := context.Background()
	store := openStore(t)
	whole := mergedSweep()
	info := MergedInfo(whole)
	if !slices.Equal(info.Hosts, []string{"b", "a"}) || info.Shard == nil || *info.Shard != (state.Shard{Index: 1, Count: 3}) {
		t.Fatalf("MergedInfo = %+v", info)
	}
	ss := NewStateSink(store, info)
	defer ss.Abort()
	rec := &recorder{}
	if err := Replay(ctx, whole, []Sink{ss, rec}); err != nil {
		t.Fatal(err)
	}
	want := []string{
		`begin "all" [disk load] 2`,
		"record a/disk CRITICAL", "record a/load OK", "record b/disk OK", "record b/load OK",
		"end complete=true results=0",
	}
	if !slices.Equal(rec.events, want) {
		t.Errorf("the sinks heard\n%s\nwant\n%s", strings.Join(rec.events, "\n"), strings.Join(want, "\n"))
	}
	if sw := ss.Swept(); sw.ID == 0 || !sw.Complete {
		t.Errorf("Swept() = %+v, want the committed complete sweep", sw)
	}
	if got := ss.Mark("a", "disk"); got != "new" {
		t.Errorf("Mark(a, disk) = %q, want new", got)
	}
	if got := ss.Mark("b", "disk"); got != "" {
		t.Errorf("Mark(b, disk) = %q, want none for an OK result", got)
	}
	eps, err := store.Episodes(ctx, state.EpisodeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(eps) != 1 || eps[0].Host != "a" || eps[0].Check != "disk" || eps[0].Status != health.Critical {
		t.Errorf("episodes = %+v, want a/disk CRITICAL", eps)
	}

	// A second recording of the same failure: ongoing, with its age.
	again := NewStateSink(store, info)
	if err := Replay(ctx, whole, []Sink{again}); err != nil {
		t.Fatal(err)
	}
	if got := again.Mark("a", "disk"); !strings.HasPrefix(got, "ongoing ") {
		t.Errorf("Mark(a, disk) the second time = %q, want ongoing AGE", got)
	}
}

// failingSink fails at Record: Replay stops and the state sink's Abort
// drops the recording, leaving the store free for the next one.
type failingSink struct{ recorder }

func (f *failingSink) Record(context.Context, health.Record) error { return errors.New("disk full") }

func TestReplayStopsAndAbortDrops(t *testing.T) {
	ctx := context.Background()
	store := openStore(t)
	ss := NewStateSink(store, MergedInfo(mergedSweep()))
	err := Replay(ctx, mergedSweep(), []Sink{ss, &failingSink{}})
	if err == nil || err.Error() != "disk full" {
		t.Fatalf("Replay error = %v, want the sink's", err)
	}
	ss.Abort()
	if sweeps, err := store.Sweeps(ctx, 0); err != nil || len(sweeps) != 0 {
		t.Errorf("after Abort the store holds %d sweeps (%v), want none", len(sweeps), err)
	}
	if err := Replay(ctx, mergedSweep(), []Sink{NewStateSink(store, MergedInfo(mergedSweep()))}); err != nil {
		t.Errorf("recording after an aborted one: %v", err)
	}
}

func TestReadParts(t *testing.T) {
	dir := t.TempDir()
	doc := filepath.Join(dir, "shard1.json")
	f, err := os.Create(doc)
	if err != nil {
		t.Fatal(err)
	}
	if err := health.Encode(f, mergedSweep()); err != nil {
		t.Fatal(err)
	}
	f.Close()
	parts, err := ReadParts([]string{doc, "-"}, strings.NewReader(mustEncode(t, mergedSweep())))
	if err != nil {
		t.Fatal(err)
	}
	if len(parts) != 2 || parts[0].Name != doc || parts[1].Name != "-" || len(parts[1].Sweep.Results) != 4 {
		t.Fatalf("ReadParts = %+v", parts)
	}
	_, err = ReadParts([]string{filepath.Join(dir, "missing.json")}, nil)
	if err == nil || !strings.Contains(err.Error(), "missing.json") {
		t.Errorf("a missing file: error %v, want it named", err)
	}
	_, err = ReadParts([]string{"-"}, strings.NewReader("{"))
	if err == nil || !strings.HasPrefix(err.Error(), "-: sweep/v1: decode") {
		t.Errorf("bad stdin: error %v, want it named '-'", err)
	}
}

// mustEncode is s as its sweep/v1 document.
func mustEncode(t *testing.T, s *health.Sweep) string {
	t.Helper()
	var b strings.Builder
	if err := health.Encode(&b, s); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestParseOutputs(t *testing.T) {
	file := filepath.Join(t.TempDir(), "out.json")
	tests := []struct {
		formats    []string
		def, file  string
		want       []Output
		wantErrHas string
	}{
		{nil, "", "", []Output{{Format: "table"}}, ""},
		{nil, "json", "", []Output{{Format: "json"}}, ""},
		{[]string{"table,json", "digest"}, "", file, []Output{{Format: "table"}, {Format: "json"}, {Format: "digest", File: file}}, ""},
		{[]string{"jsno"}, "", "", nil, `unknown output format "jsno"`},
		{[]string{"json"}, "", filepath.Join(file, "no", "dir"), nil, "--output-file: cannot create"},
	}
	for _, tt := range tests {
		got, err := ParseOutputs(tt.formats, tt.def, tt.file)
		if tt.wantErrHas != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErrHas) {
				t.Errorf("ParseOutputs(%v, %q, %q) error = %v, want %q", tt.formats, tt.def, tt.file, err, tt.wantErrHas)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("ParseOutputs(%v, %q, %q) = %v, %v; want %v", tt.formats, tt.def, tt.file, got, err, tt.want)
		}
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("ParseOutputs left %s behind (%v): it only tries the file", file, err)
	}
}
