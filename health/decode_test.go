package health

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// sweepGoldens are every fleetcheck.sweep/v1 golden file of the module
// (JSON documents and NDJSON streams under any testdata directory).
func sweepGoldens(t *testing.T) []string {
	t.Helper()
	var paths []string
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || strings.HasPrefix(d.Name(), "_")) {
			return filepath.SkipDir
		}
		ext := filepath.Ext(path)
		if d.IsDir() || filepath.Base(filepath.Dir(path)) != "testdata" || (ext != ".json" && ext != ".ndjson") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(b, []byte(`"schema":`)) && bytes.Contains(b, []byte(SchemaName)) {
			paths = append(paths, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return paths
}

// reencode writes s back in the form it was read in: the document, or the
// NDJSON stream in the order the records came.
func reencode(t *testing.T, s *Sweep, stream bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	if !stream {
		if err := Encode(&buf, s); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	for _, r := range s.Results {
		b, err := MarshalResultLine(r)
		if err != nil {
			t.Fatal(err)
		}
		buf.Write(b)
	}
	b, err := MarshalSummaryLine(s, Summarize(s))
	if err != nil {
		t.Fatal(err)
	}
	buf.Write(b)
	return buf.Bytes()
}

// roundTrip encodes s as the document and decodes it again.
func roundTrip(t *testing.T, s *Sweep) ([]byte, *Sweep) {
	t.Helper()
	doc := reencode(t, s, false)
	got, err := Decode(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("%v\n%s", err, doc)
	}
	return doc, got
}

// Every JSON golden of the repository decodes and re-encodes byte for byte.
func TestDecodeGoldensRoundTrip(t *testing.T) {
	paths := sweepGoldens(t)
	if len(paths) < 6 { // report/testdata: 5 documents and a stream, at least
		t.Fatalf("found %d sweep goldens (%v), want at least 6", len(paths), paths)
	}
	for _, path := range paths {
		t.Run(path, func(t *testing.T) {
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			s, err := Decode(bytes.NewReader(want))
			if err != nil {
				t.Fatal(err)
			}
			if got := reencode(t, s, strings.HasSuffix(path, ".ndjson")); !bytes.Equal(got, want) {
				t.Errorf("re-encoded differs from %s:\n%s", path, firstDiff(got, want))
			}
		})
	}
}

// firstDiff shows where two texts part.
func firstDiff(got, want []byte) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	from := max(0, i-80)
	return "got:  …" + string(got[from:min(len(got), i+80)]) + "\nwant: …" + string(want[from:min(len(want), i+80)])
}

// decodeFixture has a bit of everything Decode must restore.
func decodeFixture() *Sweep {
	start := time.Date(2026, 11, 21, 8, 30, 0, 123_000_000, time.UTC)
	lo, hi := 0.0, 100.0
	return &Sweep{
		Query: "role=web and dc=dc1", Checks: []string{"disk", "puppet", "load"}, Hosts: 4,
		Started: start, Finished: start.Add(90*time.Second + 456*time.Millisecond), Complete: false,
		Results: []Record{
			{Result: Result{Host: "a", Check: "disk", Status: Critical, Summary: "/var 97% <full>", Details: "line1\nline2",
				Metrics:  []Metric{{Name: "/var", Value: 97, Unit: "%", Warn: "85", Crit: "95", Min: &lo, Max: &hi}, {Name: "/", Value: 12.5, Unit: "%"}},
				Duration: 150 * time.Millisecond, Reason: "fs_full"},
				Owner: &Owner{Team: "web", Rule: "r-web", ProductOwner: "shop", AlsoNotify: []string{"sre", "dba"}, SLA: 4 * time.Hour}},
			{Result: Result{Host: "a", Check: "puppet", Status: OK, Summary: "last run 3m ago", Duration: 80 * time.Millisecond}},
			{Result: Result{Host: "b", Check: "disk", Status: Unreachable, Summary: "timed out", Details: "connect b:22: no answer within 10s", ErrorKind: string(KindTimeout)},
				Owner: &Owner{Team: "infra", Unowned: true}},
			{Result: Result{Host: "c", Check: "load", Status: Unknown, Summary: "not checked: sweep interrupted", ErrorKind: string(KindCanceled)}},
		},
	}
}

// Decode restores the sweep Encode wrote, field for field.
func TestDecodeRestoresSweep(t *testing.T) {
	want := decodeFixture()
	for _, stream := range []bool{false, true} {
		t.Run(map[bool]string{false: "document", true: "stream"}[stream], func(t *testing.T) {
			doc := reencode(t, want, stream)
			got, err := Decode(bytes.NewReader(doc))
			if err != nil {
				t.Fatal(err)
			}
			if got.Elapsed() != want.Elapsed() || !got.Started.Equal(want.Started) || !got.Finished.Equal(want.Finished) {
				t.Errorf("times %v..%v (%v), want %v..%v (%v)", got.Started, got.Finished, got.Elapsed(), want.Started, want.Finished, want.Elapsed())
			}
			got.Started, got.Finished = want.Started, want.Finished
			if !reflect.DeepEqual(got, want) {
				t.Errorf("decoded\n%+v\nwant\n%+v", got, want)
			}
			if again := reencode(t, got, stream); !bytes.Equal(again, doc) {
				t.Errorf("re-encoded differs:\n%s", firstDiff(again, doc))
			}
		})
	}
}

// Null metric values (NaN and the infinities) read back as NaN, null
// bounds as nil, and both write null again.
func TestDecodeNullNumbers(t *testing.T) {
	inf := math.Inf(1)
	s := decodeFixture()
	s.Results = s.Results[:1]
	s.Results[0].Metrics = []Metric{{Name: "x", Value: math.NaN(), Max: &inf}, {Name: "y", Value: math.Inf(-1)}}
	doc, got := roundTrip(t, s)
	ms := got.Results[0].Metrics
	// A null bound reads as absent, whatever was written as null.
	if len(ms) != 2 || !math.IsNaN(ms[0].Value) || !math.IsNaN(ms[1].Value) || ms[0].Min != nil || ms[0].Max != nil || ms[1].Max != nil {
		t.Fatalf("metrics %+v: want NaN values and nil bounds", ms)
	}
	if again := reencode(t, got, false); !bytes.Equal(again, doc) {
		t.Errorf("re-encoded differs:\n%s", firstDiff(again, doc))
	}
}

// Times truncated to the millisecond can disagree with duration_ms by one;
// the decoded sweep keeps all three.
func TestDecodeKeepsDurationAcrossTruncation(t *testing.T) {
	start := time.Date(2026, 11, 21, 0, 0, 0, 900_000, time.UTC) // .0009
	for _, elapsed := range []time.Duration{200 * time.Microsecond, 1200 * time.Microsecond, time.Second, 0} {
		doc, got := roundTrip(t, &Sweep{Started: start, Finished: start.Add(elapsed), Complete: true})
		if again := reencode(t, got, false); !bytes.Equal(again, doc) {
			t.Errorf("elapsed %v: re-encoded differs:\n%s", elapsed, firstDiff(again, doc))
		}
	}
}

// Fields Decode does not know (a later minor version) are ignored.
func TestDecodeToleratesUnknownFields(t *testing.T) {
	want := string(reencode(t, decodeFixture(), false))
	extended := strings.Replace(want, `"query":`, `"runner": {"id": 3, "tags": ["x", null]}, "query":`, 1)
	extended = strings.Replace(extended, `"owner": null`, `"owner": null, "labels": {"dc": "dc1"}`, 1)
	extended = strings.Replace(extended, `"summary": {`, `"summary": {"flaky": 2, `, 1)
	extended = strings.Replace(extended, `"results": [`, `"digest": [1, 2], "results": [`, 1)
	if strings.Count(extended, `"runner"`)+strings.Count(extended, `"labels"`)+strings.Count(extended, `"flaky"`)+strings.Count(extended, `"digest"`) != 4 {
		t.Fatalf("fixture lacks a field to extend:\n%s", want)
	}
	got, err := Decode(strings.NewReader(extended))
	if err != nil {
		t.Fatal(err)
	}
	if again := reencode(t, got, false); string(again) != want {
		t.Errorf("re-encoded differs from the document without the extra fields:\n%s", firstDiff(again, []byte(want)))
	}
	line := `{"type":"result","host":"a","check":"disk","status":"OK","summary":"","details":"","metrics":[],"duration_ms":1,"error_kind":"","owner":null,"new":true}` + "\n" +
		`{"type":"summary","schema":"fleetcheck.sweep/v1","started_at":"2026-11-21T00:00:00.000Z","finished_at":"2026-11-21T00:00:01.000Z","duration_ms":1000,"query":"","checks":[],"complete":true,"summary":{"hosts":1},"runner":"0/2"}` + "\n"
	s, err := Decode(strings.NewReader(line))
	if err != nil || len(s.Results) != 1 || s.Hosts != 1 || s.Results[0].Duration != time.Millisecond {
		t.Errorf("stream with extra fields: %+v, %v", s, err)
	}
}

// Bad input is an error that says where, never a sweep that reads as
// healthy.
func TestDecodeRejects(t *testing.T) {
	doc := string(reencode(t, decodeFixture(), false))
	result := `{"type":"result","host":"a","check":"disk","status":"OK","summary":"","details":"","metrics":[],"duration_ms":1,"error_kind":"","owner":null}` + "\n"
	rep := func(from, to string) string {
		if !strings.Contains(doc, from) {
			t.Fatalf("fixture document lacks %q", from)
		}
		return strings.Replace(doc, from, to, 1)
	}
	summary := `{"type":"summary","schema":"fleetcheck.sweep/v1","started_at":"2026-11-21T00:00:00.000Z","finished_at":"2026-11-21T00:00:01.000Z","duration_ms":1000,"query":"","checks":[],"complete":true,"summary":{"hosts":1}}` + "\n"
	tests := []struct{ name, in, want string }{
		{"empty", "", "empty input"},
		{"not an object", "[1]", "not a JSON object"},
		{"other schema", rep(SchemaName, "fleetcheck.sweep/v2"), `schema "fleetcheck.sweep/v2"`},
		{"bad status", rep(`"status": "CRITICAL"`, `"status": "CRIT"`), `a/disk: unknown status "CRIT"`},
		{"bad time", rep(`"started_at": "2026-11-21T08:30:00.123Z"`, `"started_at": "yesterday"`), "started_at"},
		{"bad sla", rep(`"sla": "4h0m0s"`, `"sla": "4 hours"`), "sla"},
		{"no results", rep(`"results": [`, `"resultz": [`), `no "results"`},
		{"truncated document", doc[:len(doc)/2], "offset"},
		{"two documents", doc + doc, "more after the document"},
		{"stream without summary", result + result, "no summary line"},
		{"stream: line after summary", result + summary + result, "line 3: more after the summary line"},
		{"stream: unknown type", result + `{"type":"sweep"}` + "\n", `line 2: type "sweep"`},
		{"stream: bad line", result + `{"type":"result","host":` + "\n" + summary, "line 2"},
		{"shard index out of range", rep(`"complete": false,`, `"complete": false, "shard": {"index": 4, "count": 4},`), "shard: index 4 of count 4"},
		{"shard count zero", rep(`"complete": false,`, `"complete": false, "shard": {"index": 0, "count": 0},`), "shard: index 0 of count 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Decode(strings.NewReader(tt.in))
			if err == nil {
				t.Fatalf("no error; decoded %+v", s)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "sweep/v1: decode: ") {
				t.Errorf("error %q, want it to say %q", err, tt.want)
			}
		})
	}
	if _, err := Decode(strings.NewReader(result)); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("cut stream: %v, want io.ErrUnexpectedEOF", err)
	}
}

// A shard's document and a partial merge's record their shards; both read
// back, and the fields are absent (goldens unchanged) for a whole sweep.
func TestShardFieldsRoundTrip(t *testing.T) {
	whole := string(reencode(t, decodeFixture(), false))
	if strings.Contains(whole, `"shard"`) || strings.Contains(whole, `"missing_shards"`) {
		t.Fatalf("a whole sweep's document names shards:\n%s", whole)
	}
	s := decodeFixture()
	s.Shard = &Shard{Index: 2, Count: 4}
	s.MissingShards = []Shard{{Index: 1, Count: 4}, {Index: 3, Count: 4}}
	for _, stream := range []bool{false, true} {
		doc := reencode(t, s, stream)
		if !strings.Contains(strings.Join(strings.Fields(string(doc)), ""), `"shard":{"index":2,"count":4}`) {
			t.Errorf("stream=%v: no shard {index 2, count 4}:\n%s", stream, doc)
		}
		got, err := Decode(bytes.NewReader(doc))
		if err != nil {
			t.Fatal(err)
		}
		if got.Shard == nil || *got.Shard != *s.Shard || len(got.MissingShards) != 2 || got.MissingShards[1] != (Shard{3, 4}) {
			t.Errorf("stream=%v: shard %v, missing %v; want 2/4 and [1/4 3/4]", stream, got.Shard, got.MissingShards)
		}
		if again := reencode(t, got, stream); !bytes.Equal(again, doc) {
			t.Errorf("stream=%v: re-encoded differs:\n%s", stream, firstDiff(again, doc))
		}
	}
}
