package health

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

// wholeDocJSON is the document encoded in one piece, as JSON did before
// it streamed results: the reference the streamed bytes must equal.
func wholeDocJSON(t *testing.T, s *Sweep) []byte {
	t.Helper()
	recs := SortedRecords(s.Results)
	doc := jsonDoc{jsonHead: newHead(s, Summarize(s)), Results: make([]jsonResult, len(recs))}
	for i, r := range recs {
		doc.Results[i] = newResult(r)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestJSONStreamedEqualsWholeDocument(t *testing.T) {
	start := time.Date(2026, 11, 21, 1, 0, 0, 0, time.UTC)
	lo := 0.0
	owner := &Owner{Team: "web <&>", Rule: "r1", AlsoNotify: []string{"obs"}, SLA: 4 * time.Hour}
	var many []Record
	for i := range 50 {
		many = append(many, Record{Result: Result{
			Host: fmt.Sprintf("h%02d", 49-i), Check: "disk", Status: Status(i % 5),
			Summary: "a \"quoted\" <summary>", Details: "line1\nline2\t\u00b5s",
			Metrics:  []Metric{{Name: "/", Value: float64(i), Unit: "%", Min: &lo}},
			Duration: time.Duration(i) * time.Millisecond,
		}, Owner: map[bool]*Owner{true: owner}[i%2 == 0]})
	}
	for _, tc := range []struct {
		name string
		recs []Record
	}{
		{"no results", nil},
		{"one result", many[:1]},
		{"many results", many},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &Sweep{Query: "all", Checks: []string{"disk"}, Hosts: len(tc.recs), Started: start, Finished: start.Add(time.Second), Complete: true, Results: tc.recs}
			var got bytes.Buffer
			if err := Encode(&got, s); err != nil {
				t.Fatal(err)
			}
			if want := wholeDocJSON(t, s); !bytes.Equal(got.Bytes(), want) {
				t.Errorf("streamed JSON differs from the whole document:\ngot:\n%s\nwant:\n%s", got.Bytes(), want)
			}
		})
	}
}

// BenchmarkJSON encodes a sweep of 10,000 hosts × 7 checks; B/op is what
// writing the document allocates (the whole document, twice, before results
// were streamed).
func BenchmarkEncode(b *testing.B) {
	var recs []Record
	for h := range 10_000 {
		for _, c := range []string{"disk", "load", "memory", "ntp", "puppet", "reboot", "systemd"} {
			recs = append(recs, Record{Result: Result{
				Host: fmt.Sprintf("node%05d.sim.example.org", h), Check: c, Status: OK,
				Summary: "2 filesystems below 85%; fullest / at 79%",
				Details: "/ (btrfs on /dev/nvme0n1p3): 79% used of 925.3 GiB, 194.3 GiB free\n/boot/efi (vfat on /dev/nvme0n1p1): 7% used",
				Metrics: []Metric{{Name: "/", Value: 79, Unit: "%", Warn: "85", Crit: "95"}},
			}})
		}
	}
	s := &Sweep{Query: "all", Hosts: 10_000, Complete: true, Results: recs}
	b.ReportAllocs()
	for b.Loop() {
		if err := Encode(discard{}, s); err != nil {
			b.Fatal(err)
		}
	}
}

// discard is io.Discard without io.ReaderFrom, like a file.
type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
