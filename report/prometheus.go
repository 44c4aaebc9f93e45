package report

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/fleetcheck/fleetcheck/checks"
)

// Prometheus writes the sweep in the Prometheus text exposition format,
// for the node_exporter textfile collector (see WriteFileAtomic).
func Prometheus(w io.Writer, s *Sweep) error {
	bw := bufio.NewWriter(w)
	// One series per host and check: a duplicate would make the whole
	// exposition invalid, so only the first is kept.
	// Checks an interruption prevented have no series: a missing series
	// (and fleetcheck_sweep_complete 0) says so without raising alerts.
	recs := slices.CompactFunc(sortedRecords(s.Results), func(a, b Record) bool {
		return a.Host == b.Host && a.Check == b.Check
	})
	recs = slices.DeleteFunc(recs, func(r Record) bool { return !isVerdict(r) })
	sum := Summarize(s)

	family(bw, "fleetcheck_check_status", "Verdict of a check on a host: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN or UNREACHABLE.")
	for _, r := range recs {
		team := ""
		if r.Owner != nil {
			team = r.Owner.Team
		}
		sample(bw, "fleetcheck_check_status", float64(statusValue(r.Status)), "host", r.Host, "check", r.Check, "team", team)
	}
	family(bw, "fleetcheck_check_unreachable", "1 for a check whose host could not be reached, by error kind.")
	for _, r := range recs {
		if r.Status == checks.Unreachable {
			kind := r.ErrorKind
			if kind == "" {
				kind = otherKind
			}
			sample(bw, "fleetcheck_check_unreachable", 1, "host", r.Host, "check", r.Check, "error_kind", kind)
		}
	}
	family(bw, "fleetcheck_check_duration_seconds", "Time a check took on a host.")
	for _, r := range recs {
		sample(bw, "fleetcheck_check_duration_seconds", r.Duration.Seconds(), "host", r.Host, "check", r.Check)
	}
	family(bw, "fleetcheck_hosts", "Hosts by the status of their worst result.")
	for _, st := range []checks.Status{checks.OK, checks.Warning, checks.Critical, checks.Unknown, checks.Unreachable} {
		sample(bw, "fleetcheck_hosts", float64(sum.HostStatus.Get(st)), "status", statusName(st))
	}
	family(bw, "fleetcheck_hosts_selected", "Hosts selected for the sweep.")
	sample(bw, "fleetcheck_hosts_selected", float64(sum.Hosts))
	family(bw, "fleetcheck_sweep_duration_seconds", "Wall time of the sweep.")
	sample(bw, "fleetcheck_sweep_duration_seconds", s.Elapsed().Seconds())
	family(bw, "fleetcheck_sweep_complete", "1 when every selected host was swept, 0 when interrupted.")
	complete := 0.0
	if s.Complete {
		complete = 1
	}
	sample(bw, "fleetcheck_sweep_complete", complete)
	family(bw, "fleetcheck_sweep_timestamp_seconds", "Unix time at which the sweep finished.")
	sample(bw, "fleetcheck_sweep_timestamp_seconds", float64(s.Finished.UnixMilli())/1000)
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("report: prometheus: %w", err)
	}
	return nil
}

// statusValue is the gauge value of a status: Nagios' 0..3, UNREACHABLE as 3.
func statusValue(st checks.Status) int {
	switch st {
	case checks.OK:
		return 0
	case checks.Warning:
		return 1
	case checks.Critical:
		return 2
	}
	return 3
}

// family writes the HELP and TYPE lines of a gauge.
func family(w *bufio.Writer, name, help string) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name)
}

// sample writes one sample line; labels are name, value pairs.
func sample(w *bufio.Writer, name string, v float64, labels ...string) {
	w.WriteString(name)
	if len(labels) > 0 {
		w.WriteByte('{')
		for i := 0; i+1 < len(labels); i += 2 {
			if i > 0 {
				w.WriteByte(',')
			}
			w.WriteString(labels[i])
			w.WriteString(`="`)
			w.WriteString(escapeLabel(labels[i+1]))
			w.WriteByte('"')
		}
		w.WriteByte('}')
	}
	w.WriteByte(' ')
	w.WriteString(formatValue(v))
	w.WriteByte('\n')
}

// labelEscaper escapes a label value for the text format.
var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

// escapeLabel escapes backslash, double quote and newline.
func escapeLabel(s string) string { return labelEscaper.Replace(s) }

// formatValue writes a sample value as the text format expects.
func formatValue(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
