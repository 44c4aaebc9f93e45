package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"
)

func TestNDJSONGolden(t *testing.T) {
	s := fixtureSweep(fixtureRecords())
	var buf bytes.Buffer
	n := NewNDJSON(&buf)
	for _, r := range s.Results {
		if err := n.Result(r); err != nil {
			t.Fatal(err)
		}
	}
	streamed := *s
	streamed.Results = nil // the caller need not keep the results
	if err := n.Summary(&streamed); err != nil {
		t.Fatal(err)
	}
	golden(t, "sweep.ndjson", buf.Bytes())

	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 24 {
		t.Fatalf("%d lines, want 23 results and a summary", len(lines))
	}
	for i, line := range lines {
		var v map[string]any
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Fatalf("line %d is not JSON: %v", i+1, err)
		}
		want := "result"
		if i == len(lines)-1 {
			want = "summary"
		}
		if v["type"] != want {
			t.Errorf("line %d type %v, want %s", i+1, v["type"], want)
		}
	}

	// The summary from the stream's own tally equals the batch summary.
	var batch bytes.Buffer
	if err := NewNDJSON(&batch).Summary(s); err != nil {
		t.Fatal(err)
	}
	if got, want := lines[len(lines)-1]+"\n", batch.String(); got != want {
		t.Errorf("streamed summary\n%s\ndiffers from batch summary\n%s", got, want)
	}
}

// TestNDJSONResultObjectMatchesJSON: a result line is the JSON document's
// result object plus "type".
func TestNDJSONResultObjectMatchesJSON(t *testing.T) {
	r := fixtureRecords()[6]
	var line bytes.Buffer
	if err := NewNDJSON(&line).Result(r); err != nil {
		t.Fatal(err)
	}
	var doc bytes.Buffer
	if err := JSON(&doc, fixtureSweep([]Record{r})); err != nil {
		t.Fatal(err)
	}
	var fromLine map[string]any
	var fromDoc struct{ Results []map[string]any }
	if err := json.Unmarshal(line.Bytes(), &fromLine); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(doc.Bytes(), &fromDoc); err != nil {
		t.Fatal(err)
	}
	delete(fromLine, "type")
	a, _ := json.Marshal(fromLine)
	b, _ := json.Marshal(fromDoc.Results[0])
	if !bytes.Equal(a, b) {
		t.Errorf("ndjson result %s\n!= json result %s", a, b)
	}
}

// TestNDJSONStreams: the first line can be read before the sweep ends.
func TestNDJSONStreams(t *testing.T) {
	pr, pw := io.Pipe()
	n := NewNDJSON(pw)
	written := make(chan error, 1)
	go func() { written <- n.Result(fixtureRecords()[1]) }()

	lineRead := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(pr).ReadString('\n')
		lineRead <- line
	}()
	select {
	case line := <-lineRead:
		if !strings.Contains(line, `"type":"result"`) || !strings.Contains(line, "web02.dc1.example.org") {
			t.Errorf("first line %q", line)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("first result line not readable before Summary")
	}
	if err := <-written; err != nil {
		t.Fatal(err)
	}
	pw.Close()
}

// flushRecorder counts Flush calls.
type flushRecorder struct {
	bytes.Buffer
	flushes int
}

func (f *flushRecorder) Flush() error { f.flushes++; return nil }

func TestNDJSONFlushesEveryLine(t *testing.T) {
	var w flushRecorder
	n := NewNDJSON(&w)
	for _, r := range fixtureRecords()[:3] {
		if err := n.Result(r); err != nil {
			t.Fatal(err)
		}
	}
	if w.flushes != 3 {
		t.Errorf("%d flushes for 3 lines", w.flushes)
	}
}
