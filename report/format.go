package report

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// Format is one output format: it renders a finished sweep, every record
// in s.Results.
type Format interface {
	Render(w io.Writer, s *Sweep) error
}

// Streamer is a Format that can also write each record as it comes and the
// summary at the end (NDJSON), so that a sweep need keep no record for it.
type Streamer interface {
	Format
	Stream(w io.Writer) Stream
}

// Stream writes one sweep's records as they come, then its summary; *NDJSON
// is one.
type Stream interface {
	Result(r Record) error
	Summary(s *Sweep) error
}

// FormatOptions is what a format may know of its destination.
type FormatOptions struct {
	Color bool         // ANSI colours (a terminal, and NO_COLOR unset)
	Width int          // width in columns; 0 when unknown
	Table TableOptions // the table's own options (Verbose, MinStatus, Team); its Color and Width are the two above
}

// formats is the registry of output formats, by -o name. Adding a format is
// one file holding its Format and one line here.
func formats() map[string]func(FormatOptions) Format {
	return map[string]func(FormatOptions) Format{
		"table": func(o FormatOptions) Format {
			t := o.Table
			t.Color, t.Width = o.Color, o.Width
			return tableFormat(t)
		},
		"json":       func(FormatOptions) Format { return jsonFormat{} },
		"ndjson":     func(FormatOptions) Format { return ndjsonFormat{} },
		"prometheus": func(FormatOptions) Format { return prometheusFormat{} },
	}
}

// NewFormat returns the output format called name for a destination
// described by opts.
func NewFormat(name string, opts FormatOptions) (Format, error) {
	newFormat, ok := formats()[name]
	if !ok {
		return nil, fmt.Errorf("unknown output format %q (expected one of %s)", name, strings.Join(FormatNames(), ", "))
	}
	return newFormat(opts), nil
}

// FormatNames lists the registered output formats, sorted.
func FormatNames() []string { return slices.Sorted(maps.Keys(formats())) }

// tableFormat is the grouped table for people (Table).
type tableFormat TableOptions

// Render writes the table.
func (f tableFormat) Render(w io.Writer, s *Sweep) error { return Table(w, s, TableOptions(f)) }

// jsonFormat is the fleetcheck.sweep/v1 document (JSON).
type jsonFormat struct{}

// Render writes the document.
func (jsonFormat) Render(w io.Writer, s *Sweep) error { return JSON(w, s) }

// prometheusFormat is the Prometheus text exposition (Prometheus).
type prometheusFormat struct{}

// Render writes the exposition.
func (prometheusFormat) Render(w io.Writer, s *Sweep) error { return Prometheus(w, s) }

// ndjsonFormat is the NDJSON stream (NDJSON).
type ndjsonFormat struct{}

// Stream starts a stream on w.
func (ndjsonFormat) Stream(w io.Writer) Stream { return NewNDJSON(w) }

// Render writes every record of s in its order, then the summary line.
func (ndjsonFormat) Render(w io.Writer, s *Sweep) error {
	n := NewNDJSON(w)
	for _, r := range s.Results {
		if err := n.Result(r); err != nil {
			return err
		}
	}
	return n.Summary(s)
}
