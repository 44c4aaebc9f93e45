package report

import (
	"fmt"
	"io"
	"sync"

	"github.com/fleetcheck/fleetcheck/health"
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

// Result writes one result line.
func (n *NDJSON) Result(r Record) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.tally.Add(r)
	if err := n.writeLine(health.MarshalResultLine(r)); err != nil {
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
	if err := n.writeLine(health.MarshalSummaryLine(s, sum)); err != nil {
		return fmt.Errorf("report: ndjson summary: %w", err)
	}
	return nil
}

// writeLine writes one encoded line in a single Write, then flushes.
func (n *NDJSON) writeLine(b []byte, err error) error {
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
