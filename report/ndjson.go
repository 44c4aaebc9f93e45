package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sync"
)

// NDJSON streams results one JSON line each as they complete, then a
// summary line. It is safe for concurrent use.
type NDJSON struct {
	mu    sync.Mutex
	w     io.Writer
	tally *Tally
}

// NewNDJSON returns a stream writing to w; each line is written (and
// flushed, when w has a Flush method) as soon as it is produced.
func NewNDJSON(w io.Writer) *NDJSON {
	return &NDJSON{w: w, tally: NewTally()}
}

// ndjsonResult is a result line: the JSON document's result plus its type.
type ndjsonResult struct {
	Type string `json:"type"`
	jsonResult
}

// ndjsonSummary is the final line.
type ndjsonSummary struct {
	Type string `json:"type"`
	jsonHead
}

// Result writes one result line.
func (n *NDJSON) Result(r Record) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.tally.Add(r)
	if err := n.writeLine(ndjsonResult{Type: "result", jsonResult: newResult(r)}); err != nil {
		return fmt.Errorf("report: ndjson result %s/%s: %w", r.Host, r.Check, err)
	}
	return nil
}

// Summary writes the final summary line. Its counts come from s.Results
// when the caller kept them, else from the results streamed so far.
func (n *NDJSON) Summary(s *Sweep) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	sum := n.tally.Summary(s.Hosts, s.Complete)
	if len(s.Results) > 0 {
		sum = Summarize(s)
	}
	if err := n.writeLine(ndjsonSummary{Type: "summary", jsonHead: newHead(s, sum)}); err != nil {
		return fmt.Errorf("report: ndjson summary: %w", err)
	}
	return nil
}

// writeLine writes v as one line in a single Write, then flushes.
func (n *NDJSON) writeLine(v any) error {
	b, err := marshalLine(v)
	if err != nil {
		return err
	}
	if _, err := n.w.Write(b); err != nil {
		return err
	}
	if f, ok := n.w.(interface{ Flush() error }); ok {
		return f.Flush()
	}
	return nil
}

// marshalLine encodes v compactly, without HTML escaping, newline-terminated.
func marshalLine(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
