package report

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/fleetcheck/fleetcheck/health"
	"github.com/fleetcheck/fleetcheck/inventory/nodeset"
)

// ExecResult is what an ad-hoc command (fleetcheck exec) did on one host.
type ExecResult struct {
	Host      string // inventory name of the host
	ExitCode  int    // the command's exit status; meaningless when ErrorKind is set
	Stdout    []byte // captured standard output
	Stderr    []byte // captured standard error
	ErrorKind string // transport failure kind ("timeout", "refused"...), "" when the command ran
	Err       string // the transport error, for people
	Running   bool   // the command had started when it was cut (ErrorKind canceled or timeout): it may still run
}

// WriteExecGroupsCmd writes exec results the way cumin does: identical
// outputs grouped under their folded node set, then connection failures,
// then hosts by exit code; cmd, when not "", is shown in the output headers
// ("----- OUTPUT of 'uptime' -----").
func WriteExecGroupsCmd(w io.Writer, cmd string, results []ExecResult, color bool) error {
	p := painter(color)
	bw := bufio.NewWriter(w)
	of := ""
	if cmd != "" {
		of = " of '" + sanitize(cmd, false) + "'"
	}
	outputs, failures, codes := groupExec(results)
	for _, g := range outputs {
		fmt.Fprintln(bw, p.paint(ansiBlue, "===== NODE GROUP ====="))
		fmt.Fprintln(bw, p.paint(ansiCyan, g.name))
		if g.stdout != "" {
			fmt.Fprintln(bw, p.paint(ansiBlue, "----- OUTPUT"+of+" -----"))
			fmt.Fprint(bw, withNewline(g.stdout))
		}
		if g.stderr != "" {
			fmt.Fprintln(bw, p.paint(ansiBlue, "----- STDERR"+of+" -----"))
			fmt.Fprint(bw, withNewline(g.stderr))
		}
	}
	if len(outputs) > 0 {
		fmt.Fprintln(bw, p.paint(ansiBlue, "================"))
	}
	writeFailures(bw, p, "----- CUT WHILE RUNNING -----", failures, func(g *failureGroupExec) bool { return g.running })
	writeFailures(bw, p, "----- CONNECTION FAILURES -----", failures, func(g *failureGroupExec) bool { return !g.running && !notRun(g.kind) })
	writeFailures(bw, p, "----- NOT RUN -----", failures, func(g *failureGroupExec) bool { return !g.running && notRun(g.kind) })
	if len(codes) > 0 {
		fmt.Fprintln(bw, p.paint(ansiBlue, "----- EXIT CODES -----"))
		for _, g := range codes {
			colour := ansiGreen
			if g.code != 0 {
				colour = ansiRed
			}
			fmt.Fprintln(bw, p.paint(colour, fmt.Sprintf("%s: exit code %d", nodeGroup(g.hosts), g.code)))
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("report: exec output: %w", err)
	}
	return nil
}

// notRun reports whether kind says the command was never started on the
// host: the run was interrupted (the runner's "canceled") or stopped early
// (fleetcheck exec's "skipped"). Such hosts are listed apart from
// connection failures.
func notRun(kind string) bool { return health.NotRun(kind) }

// writeFailures writes, under header, the selected failure groups;
// nothing when there are none.
func writeFailures(w io.Writer, p painter, header string, groups []*failureGroupExec, selected func(*failureGroupExec) bool) {
	var lines []string
	for _, g := range groups {
		if !selected(g) {
			continue
		}
		line := nodeGroup(g.hosts) + ": " + g.kind
		switch {
		case g.running && g.kind == CanceledKind:
			line = nodeGroup(g.hosts) + ": interrupted while running (may still be running)"
		case g.running && g.kind == "timeout":
			line = nodeGroup(g.hosts) + ": timed out while running (may still be running)"
		case g.err != "":
			line += " (" + g.err + ")"
		}
		lines = append(lines, line)
	}
	if len(lines) == 0 {
		return
	}
	fmt.Fprintln(w, p.paint(ansiBlue, header))
	for _, l := range lines {
		fmt.Fprintln(w, p.paint(ansiRed, l))
	}
}

// ExecSummary writes cumin's success line, e.g. "95.0% (190/200) success
// ratio (< 100.0% threshold)"; threshold is a percentage (0 to 100).
func ExecSummary(w io.Writer, ok, total int, threshold float64) error {
	ratio := 0.0
	if total > 0 {
		ratio = 100 * float64(ok) / float64(total)
	}
	cmpOp := ">="
	if ratio < threshold {
		cmpOp = "<"
	}
	if _, err := fmt.Fprintf(w, "%.1f%% (%d/%d) success ratio (%s %.1f%% threshold)\n", ratio, ok, total, cmpOp, threshold); err != nil {
		return fmt.Errorf("report: exec summary: %w", err)
	}
	return nil
}

// execJSON is one host in the exec JSON object.
type execJSON struct {
	ExitCode  int    `json:"exit_code"`
	Stdout    string `json:"stdout"`
	Stderr    string `json:"stderr"`
	ErrorKind string `json:"error_kind"`
	Error     string `json:"error,omitempty"`
	Running   bool   `json:"cut_while_running,omitempty"`
}

// WriteExecJSON writes {host: {exit_code, stdout, stderr, error_kind}},
// hosts in name order (and "error" when the host could not be reached).
func WriteExecJSON(w io.Writer, results []ExecResult) error {
	doc := make(map[string]execJSON, len(results))
	for _, r := range results {
		doc[r.Host] = execJSON{
			ExitCode: r.ExitCode, Stdout: string(r.Stdout), Stderr: string(r.Stderr),
			ErrorKind: r.ErrorKind, Error: r.Err, Running: r.Running,
		}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("report: exec json: %w", err)
	}
	return nil
}

// outputGroup is the hosts that printed the same thing.
type outputGroup struct {
	stdout, stderr string
	hosts          []string
	name           string // nodeGroup(hosts), set once grouping is done
}

// failureGroupExec is the hosts that failed to run the command the same way.
type failureGroupExec struct {
	kind, err string
	running   bool // cut while the command ran
	hosts     []string
}

// codeGroup is the hosts whose command exited with the same code.
type codeGroup struct {
	code  int
	hosts []string
}

// groupExec sorts results into identical outputs (most hosts first),
// connection failures by kind, and exit codes (ascending).
func groupExec(results []ExecResult) ([]*outputGroup, []*failureGroupExec, []*codeGroup) {
	outputs := map[[2]string]*outputGroup{}
	type failureKey struct {
		kind    string
		running bool
	}
	failures := map[failureKey]*failureGroupExec{}
	codes := map[int]*codeGroup{}
	for _, r := range results {
		if r.ErrorKind != "" {
			k := failureKey{r.ErrorKind, r.Running}
			f := failures[k]
			if f == nil {
				f = &failureGroupExec{kind: r.ErrorKind, err: sanitize(r.Err, false), running: r.Running}
				failures[k] = f
			} else if f.err != sanitize(r.Err, false) {
				f.err = "" // errors differ per host: the kind says enough
			}
			f.hosts = append(f.hosts, r.Host)
			continue
		}
		c := codes[r.ExitCode]
		if c == nil {
			c = &codeGroup{code: r.ExitCode}
			codes[r.ExitCode] = c
		}
		c.hosts = append(c.hosts, r.Host)
		out, errOut := cleanOutput(r.Stdout), cleanOutput(r.Stderr)
		if out == "" && errOut == "" {
			continue
		}
		k := [2]string{out, errOut}
		g := outputs[k]
		if g == nil {
			g = &outputGroup{stdout: out, stderr: errOut}
			outputs[k] = g
		}
		g.hosts = append(g.hosts, r.Host)
	}
	og := mapValues(outputs)
	for _, g := range og {
		g.name = nodeGroup(g.hosts)
	}
	slices.SortFunc(og, func(a, b *outputGroup) int {
		if c := cmp.Compare(len(b.hosts), len(a.hosts)); c != 0 {
			return c
		}
		return strings.Compare(a.name, b.name)
	})
	fg := mapValues(failures)
	slices.SortFunc(fg, func(a, b *failureGroupExec) int { return strings.Compare(a.kind, b.kind) })
	cg := mapValues(codes)
	slices.SortFunc(cg, func(a, b *codeGroup) int { return cmp.Compare(a.code, b.code) })
	return og, fg, cg
}

// mapValues returns the values of m in no particular order.
func mapValues[K comparable, V any](m map[K]V) []V {
	out := make([]V, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// nodeGroup is cumin's "(3) web[1-3].example.org".
func nodeGroup(hosts []string) string {
	hs := slices.Clone(hosts)
	slices.Sort(hs)
	hs = slices.Compact(hs)
	return fmt.Sprintf("(%d) %s", len(hs), nodeset.Fold(hs))
}

// cleanOutput makes remote output safe to print: CRLF becomes LF and other
// control characters (escape sequences) become "?".
func cleanOutput(b []byte) string {
	return sanitize(strings.ReplaceAll(string(b), "\r\n", "\n"), true)
}

// withNewline ends s with a newline.
func withNewline(s string) string {
	if strings.HasSuffix(s, "\n") {
		return s
	}
	return s + "\n"
}
