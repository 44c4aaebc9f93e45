package health

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"time"
)

// Decode reads a fleetcheck.sweep/v1 sweep: the document of -o json or the
// stream of -o ndjson (result lines, then a summary line), told apart by
// what they hold. It restores what Encode wrote: the head, every record
// (owner, SLA, metrics with null bounds as nil and null values as NaN,
// durations to the millisecond, reason, error kind), so that Encode of
// the result writes the same document again. The summary is not read: it
// is recomputed from the records (Summarize), but for the number of hosts
// selected, which is Sweep.Hosts. Fields it does not know are ignored, so
// that later minor versions still read.
//
// Times have millisecond precision. duration_ms, which the document
// derives from the two times, is kept by placing Started within its
// millisecond where truncation made the two disagree by one.
func Decode(r io.Reader) (*Sweep, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if err := skipSpace(br); err != nil {
		if err == io.EOF {
			return nil, fmt.Errorf("sweep/v1: decode: empty input: %w", io.ErrUnexpectedEOF)
		}
		return nil, fmt.Errorf("sweep/v1: decode: %w", err)
	}
	line, err := br.Peek(1)
	if err != nil {
		return nil, fmt.Errorf("sweep/v1: decode: %w", err)
	}
	if line[0] != '{' {
		return nil, fmt.Errorf("sweep/v1: decode: not a JSON object (starts with %q)", line[0])
	}
	if isStream(br) {
		return decodeStream(br)
	}
	return decodeDocument(br)
}

// skipSpace discards leading white space.
func skipSpace(br *bufio.Reader) error {
	for {
		b, err := br.ReadByte()
		if err != nil {
			return err
		}
		if b != ' ' && b != '\t' && b != '\n' && b != '\r' {
			return br.UnreadByte()
		}
	}
}

// isStream reports whether the input starts with an NDJSON line: an
// object whose first key is "type", as MarshalResultLine and
// MarshalSummaryLine write it; the document's first key is "schema".
func isStream(br *bufio.Reader) bool {
	head, _ := br.Peek(64) // short only at the end of the input
	return bytes.HasPrefix(bytes.TrimLeft(head[1:], " \t\r\n"), []byte(`"type"`))
}

// decodeDocument reads the indented (or any) JSON document, streaming its
// results one at a time.
func decodeDocument(r io.Reader) (*Sweep, error) {
	dec := json.NewDecoder(r)
	s := &Sweep{}
	head := map[string]json.RawMessage{}
	sawResults := false
	fail := func(err error) (*Sweep, error) {
		return nil, fmt.Errorf("sweep/v1: decode: offset %d: %w", dec.InputOffset(), err)
	}
	if err := expectDelim(dec, '{'); err != nil {
		return fail(err)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fail(err)
		}
		key, _ := tok.(string)
		if key != "results" {
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return fail(fmt.Errorf("%s: %w", key, err))
			}
			head[key] = raw
			continue
		}
		sawResults = true
		if err := expectDelim(dec, '['); err != nil {
			return fail(fmt.Errorf("results: %w", err))
		}
		for dec.More() {
			var jr jsonResult
			if err := dec.Decode(&jr); err != nil {
				return fail(fmt.Errorf("results[%d]: %w", len(s.Results), err))
			}
			rec, err := jr.record()
			if err != nil {
				return fail(fmt.Errorf("results[%d]: %w", len(s.Results), err))
			}
			s.Results = append(s.Results, rec)
		}
		if err := expectDelim(dec, ']'); err != nil {
			return fail(fmt.Errorf("results: %w", err))
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return fail(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fail(errors.New("more after the document"))
	}
	if !sawResults {
		return fail(errors.New(`no "results"`))
	}
	b, err := json.Marshal(head)
	if err != nil {
		return fail(err)
	}
	var h jsonHead
	if err := json.Unmarshal(b, &h); err != nil {
		return fail(err)
	}
	if err := h.apply(s); err != nil {
		return fail(err)
	}
	return s, nil
}

// decodeStream reads NDJSON: result lines, then one summary line.
func decodeStream(r io.Reader) (*Sweep, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 64<<20)
	s := &Sweep{}
	n, done := 0, false
	for sc.Scan() {
		n++
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		fail := func(err error) (*Sweep, error) {
			return nil, fmt.Errorf("sweep/v1: decode: line %d: %w", n, err)
		}
		if done {
			return fail(errors.New("more after the summary line"))
		}
		var typ struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal(line, &typ); err != nil {
			return fail(err)
		}
		switch typ.Type {
		case lineResult:
			var jr jsonResult
			if err := json.Unmarshal(line, &jr); err != nil {
				return fail(err)
			}
			rec, err := jr.record()
			if err != nil {
				return fail(err)
			}
			s.Results = append(s.Results, rec)
		case lineSummary:
			var h jsonHead
			if err := json.Unmarshal(line, &h); err != nil {
				return fail(err)
			}
			if err := h.apply(s); err != nil {
				return fail(err)
			}
			done = true
		default:
			return fail(fmt.Errorf("type %q, expected %q or %q", typ.Type, lineResult, lineSummary))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("sweep/v1: decode: line %d: %w", n+1, err)
	}
	if !done {
		return nil, fmt.Errorf("sweep/v1: decode: line %d: %w: the stream has no summary line", n, io.ErrUnexpectedEOF)
	}
	return s, nil
}

// expectDelim reads the next token and checks that it is d.
func expectDelim(dec *json.Decoder, d json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != d {
		return fmt.Errorf("expected %q, found %v", d, tok)
	}
	return nil
}

// apply sets the sweep's head from the decoded document head.
func (h jsonHead) apply(s *Sweep) error {
	if h.Schema != SchemaName {
		return fmt.Errorf("schema %q, expected %q", h.Schema, SchemaName)
	}
	started, err := parseTime("started_at", h.StartedAt)
	if err != nil {
		return err
	}
	finished, err := parseTime("finished_at", h.FinishedAt)
	if err != nil {
		return err
	}
	// Both times were truncated to the millisecond: the elapsed time they
	// give can be one more than duration_ms. Starting half a millisecond
	// later reads back as the same start and the same duration.
	if d := finished.Sub(started).Milliseconds(); d == h.DurationMS+1 && started.Nanosecond()%int(time.Millisecond) == 0 {
		started = started.Add(time.Millisecond / 2)
	}
	s.Query, s.Checks, s.Complete = h.Query, h.Checks, h.Complete
	s.Started, s.Finished = started, finished
	s.Hosts = h.Summary.Hosts
	if h.Shard != nil {
		if h.Shard.Count < 1 || h.Shard.Index < 0 || h.Shard.Index >= h.Shard.Count {
			return fmt.Errorf("shard: index %d of count %d, expected 0 <= index < count", h.Shard.Index, h.Shard.Count)
		}
		sh := Shard(*h.Shard)
		s.Shard = &sh
	}
	for _, m := range h.Missing {
		s.MissingShards = append(s.MissingShards, Shard(m))
	}
	return nil
}

// parseTime reads an RFC 3339 time, in UTC.
func parseTime(field, v string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s: %w", field, err)
	}
	return t.UTC(), nil
}

// record converts one decoded result back into a record.
func (jr jsonResult) record() (Record, error) {
	st, err := ParseStatus(jr.Status)
	if err != nil {
		return Record{}, fmt.Errorf("%s/%s: %w", jr.Host, jr.Check, err)
	}
	rec := Record{Result: Result{
		Host: jr.Host, Check: jr.Check, Status: st, Summary: jr.Summary, Details: jr.Details,
		Duration: time.Duration(jr.DurationMS) * time.Millisecond, ErrorKind: jr.ErrorKind, Reason: jr.Reason,
	}}
	for _, m := range jr.Metrics {
		rec.Metrics = append(rec.Metrics, Metric{
			Name: m.Name, Value: float64(m.Value), Unit: m.Unit, Warn: m.Warn, Crit: m.Crit,
			Min: fromOptFloat(m.Min), Max: fromOptFloat(m.Max),
		})
	}
	if o := jr.Owner; o != nil {
		rec.Owner = &Owner{Team: o.Team, Rule: o.Rule, Unowned: o.Unowned, ProductOwner: o.ProductOwner}
		if len(o.AlsoNotify) > 0 {
			rec.Owner.AlsoNotify = o.AlsoNotify
		}
		if jr.SLA != "" {
			sla, err := time.ParseDuration(jr.SLA)
			if err != nil {
				return Record{}, fmt.Errorf("%s/%s: sla: %w", jr.Host, jr.Check, err)
			}
			rec.Owner.SLA = sla
		}
	}
	return rec, nil
}

// fromOptFloat converts an optional metric bound back.
func fromOptFloat(p *jsonFloat) *float64 {
	if p == nil {
		return nil
	}
	v := float64(*p)
	return &v
}

// UnmarshalJSON reads a number; null (what MarshalJSON writes for NaN and
// the infinities) reads as NaN.
func (f *jsonFloat) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*f = jsonFloat(math.NaN())
		return nil
	}
	var v float64
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*f = jsonFloat(v)
	return nil
}
