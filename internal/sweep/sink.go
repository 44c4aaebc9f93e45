package sweep

import (
	"context"
	"fmt"
	"io"

	"github.com/fleetcheck/fleetcheck/health"
	"github.com/fleetcheck/fleetcheck/report"
)

// Sink receives one sweep as it runs: Begin once with the sweep's head
// (query, checks, hosts selected, start; no results), Record for each
// record that passes the team filter as its host finishes, then End once
// with the finished sweep (Finished and Complete set; Results empty: a
// sink that needs the records keeps them). Calls come from one goroutine.
// An error from Begin or Record stops the sweep. A state store is one
// more Sink.
//
// ctx carries the sweep's values but not its cancellation: an interrupted
// or cut sweep still reports what it finished, so a sink bounds its own
// waits (context.WithTimeout) rather than stopping with the sweep.
type Sink interface {
	Begin(ctx context.Context, s *health.Sweep) error
	Record(ctx context.Context, r health.Record) error
	End(ctx context.Context, s *health.Sweep) error
}

// HostWatcher is a Sink that is also told when each planned host has
// delivered all its records, whether or not they passed the team filter;
// failed says whether one that passed was not OK.
type HostWatcher interface {
	HostDone(host string, failed bool)
}

// ProgressSink draws the progress bar p: every host finished counts, and
// End removes the bar.
func ProgressSink(p *report.Progress) Sink { return progressSink{p} }

// progressSink is ProgressSink's Sink.
type progressSink struct{ p *report.Progress }

// Begin does nothing: the bar was drawn when it was made.
func (progressSink) Begin(context.Context, *health.Sweep) error { return nil }

// Record does nothing: the bar counts hosts (HostDone).
func (progressSink) Record(context.Context, health.Record) error { return nil }

// HostDone advances the bar by one host.
func (ps progressSink) HostDone(_ string, failed bool) { ps.p.HostDone(failed) }

// End removes the bar.
func (ps progressSink) End(context.Context, *health.Sweep) error {
	ps.p.Finish()
	return nil
}

// Output is one requested output: a registered format and where it goes.
type Output struct {
	Format string // report format name: "table", "json", "ndjson", "prometheus"
	File   string // write it to this file, atomically; "" means stdout
}

// Outputs are the sinks of the requested outputs.
type Outputs struct {
	Sinks []Sink
	files []*report.AtomicFile // streamed files, renamed into place at End
}

// Abort removes the streamed output files not yet renamed into place; it is
// safe after End.
func (o *Outputs) Abort() {
	for _, f := range o.files {
		f.Abort()
	}
}

// NewOutputs builds a sink per streaming format (NDJSON: records are written
// as they come, and not kept) and, when any other format is asked for, one
// sink that keeps the records and renders those formats at End, in order.
// tty describes stdout; a file gets no colour. Output files of streaming
// formats are created now, so that one that cannot be is reported before
// any host is contacted; the caller defers Abort.
func NewOutputs(outs []Output, stdout io.Writer, tty report.FormatOptions) (*Outputs, error) {
	o := &Outputs{}
	var final []finalOutput
	for _, out := range outs {
		opts := tty
		if out.File != "" {
			opts.Color = false
		}
		f, err := report.NewFormat(out.Format, opts)
		if err != nil {
			return nil, err
		}
		st, ok := f.(report.Streamer)
		if !ok {
			final = append(final, finalOutput{Output: out, format: f})
			continue
		}
		w := stdout
		var file *report.AtomicFile
		if out.File != "" {
			if file, err = report.CreateAtomic(out.File); err != nil {
				o.Abort()
				return nil, fmt.Errorf("output file: %w", err)
			}
			o.files = append(o.files, file)
			w = file
		}
		o.Sinks = append(o.Sinks, &streamSink{name: out.Format, stream: st.Stream(w), file: file})
	}
	if len(final) > 0 {
		o.Sinks = append(o.Sinks, &collectSink{outs: final, stdout: stdout})
	}
	return o, nil
}

// streamSink writes each record to a streaming format as it comes.
type streamSink struct {
	name   string
	stream report.Stream
	file   *report.AtomicFile // nil for stdout
}

// Begin does nothing: the stream starts with the first record.
func (*streamSink) Begin(context.Context, *health.Sweep) error { return nil }

// Record writes one record to the stream.
func (ss *streamSink) Record(_ context.Context, r health.Record) error {
	if err := ss.stream.Result(r); err != nil {
		return fmt.Errorf("writing %s: %w", ss.name, err)
	}
	return nil
}

// End writes the summary and renames the file into place.
func (ss *streamSink) End(_ context.Context, s *health.Sweep) error {
	if err := ss.stream.Summary(s); err != nil {
		return fmt.Errorf("writing %s: %w", ss.name, err)
	}
	if ss.file != nil {
		if err := ss.file.Commit(); err != nil {
			return fmt.Errorf("output file: %w", err)
		}
	}
	return nil
}

// finalOutput is a format rendered when the sweep ends.
type finalOutput struct {
	Output
	format report.Format
}

// collectSink keeps the records and renders the final formats at End.
type collectSink struct {
	outs   []finalOutput
	stdout io.Writer
	recs   []health.Record
}

// Begin does nothing: nothing renders before the end.
func (*collectSink) Begin(context.Context, *health.Sweep) error { return nil }

// Record keeps one record.
func (c *collectSink) Record(_ context.Context, r health.Record) error {
	c.recs = append(c.recs, r)
	return nil
}

// End renders every final format of the sweep with the records kept.
func (c *collectSink) End(_ context.Context, s *health.Sweep) error {
	full := *s
	full.Results = c.recs
	for _, o := range c.outs {
		if err := report.WriteOutput(o.File, c.stdout, func(w io.Writer) error { return o.format.Render(w, &full) }); err != nil {
			return fmt.Errorf("writing %s output: %w", o.Format, err)
		}
	}
	return nil
}
