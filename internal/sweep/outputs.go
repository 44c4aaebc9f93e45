package sweep

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/fleetcheck/fleetcheck/health"
	"github.com/fleetcheck/fleetcheck/internal/suggest"
	"github.com/fleetcheck/fleetcheck/report"
)

// DigestFormat is the output format rendered from the state store once the
// sweep is recorded (digest.Make), not by a report.Format.
const DigestFormat = "digest"

// ParseOutputs reads the requested outputs: formats as given on the command
// line (each may list several, comma-separated; none means def, else
// "table"), the last one going to file when file is not "". A format
// neither registered nor DigestFormat is refused with the nearest name; the
// file is tried (created and removed) now, so that one that cannot be
// written is reported before any host is contacted.
func ParseOutputs(formats []string, def, file string) ([]Output, error) {
	if len(formats) == 0 {
		formats = []string{cmp.Or(def, "table")}
	}
	names := append(report.FormatNames(), DigestFormat)
	var outs []Output
	for _, f := range formats {
		for _, f := range strings.Split(f, ",") {
			if !slices.Contains(names, f) {
				return nil, fmt.Errorf("unknown output format %q%s (expected one of %s)", f, suggest.DidYouMean(f, names), strings.Join(names, ", "))
			}
			outs = append(outs, Output{Format: f})
		}
	}
	if file != "" {
		f, err := report.CreateAtomic(file)
		if err != nil {
			return nil, fmt.Errorf("--output-file: cannot create %s: %v", file, errors.Unwrap(err))
		}
		f.Abort()
		outs[len(outs)-1].File = file
	}
	return outs, nil
}

// SplitDigests separates the DigestFormat outputs (rendered from the state
// store once the sweep is recorded) from the others, in order.
func SplitDigests(outs []Output) (others, digests []Output) {
	for _, o := range outs {
		if o.Format == DigestFormat {
			digests = append(digests, o)
		} else {
			others = append(others, o)
		}
	}
	return others, digests
}

// ParseMinStatus reads the table's --status: the least bad failure shown
// ("" shows every failure; OK is no failure and refused).
func ParseMinStatus(v string) (health.Status, error) {
	if v == "" {
		return health.OK, nil
	}
	st, err := health.ParseStatus(v)
	if err != nil || st == health.OK {
		return health.OK, fmt.Errorf("--status %q: expected warning, unknown, unreachable or critical", v)
	}
	return st, nil
}
