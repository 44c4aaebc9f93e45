package checks

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file holds the shell side of the built-in checks: quoting what goes
// into a remote command line, and reading back the marked sections that
// the commands print.

// shellQuote quotes s as one word for a POSIX shell. Words made only of
// characters that are never special are returned unchanged; anything else
// is wrapped in single quotes, each embedded single quote closing the
// quotes, adding an escaped quote and reopening them.
func shellQuote(s string) string {
	if s == "" {
		return "''"
	}
	safe := true
	for _, r := range s {
		if !isShellSafe(r) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// shellQuoteAll quotes every word and joins them with spaces.
func shellQuoteAll(words ...string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = shellQuote(w)
	}
	return strings.Join(q, " ")
}

// isShellSafe reports whether r needs no quoting anywhere in a shell word.
func isShellSafe(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return true
	}
	return strings.ContainsRune("@%+=:,./_-", r)
}

// Section markers: a built-in's command prints lines such as
// "--- fleetcheck:summary path=/x mtime=17 ---" before each part of its
// output, and "--- fleetcheck:end ---" last, so that evaluation can tell a
// complete answer from a truncated one and never confuses one tool's
// output with another's.
const (
	markerPrefix = "--- fleetcheck:"
	markerSuffix = " ---"
	endSection   = "end"
)

// markerLine returns the shell command that prints the marker of section
// name; attrs are pre-formed "key=value" words, possibly holding shell
// expansions such as "mtime=$(stat -c %Y f)", and are double-quoted.
func markerLine(name string, attrs ...string) string {
	words := append([]string{markerPrefix + name}, attrs...)
	return `echo "` + strings.Join(words, " ") + markerSuffix + `"`
}

// captureLines returns shell that runs command with its stdout in a
// section called name and its stderr, if any, in a section called
// name+"-status" whose marker carries the exit status as "rc=N"; it needs
// file descriptor 3 open on stdout (captureSetup).
func captureLines(name, command string) string {
	return markerLine(name) + "; err=$( { " + command + "; } 2>&1 1>&3 ); rc=$?; " +
		markerLine(name+"-status", "rc=$rc") + `; if [ -n "$err" ]; then printf '%s\n' "$err"; fi`
}

// captureSetup opens file descriptor 3 on stdout, for captureLines.
const captureSetup = "exec 3>&1"

// exitStatus reads the "rc=N" attribute of section name+"-status"; ok is
// false when the section or a number is missing.
func (ss sections) exitStatus(name string) (rc int, stderr string, ok bool) {
	s, found := ss.Get(name + "-status")
	if !found {
		return 0, "", false
	}
	n, err := strconv.Atoi(s.Attr("rc"))
	if err != nil {
		return 0, "", false
	}
	return n, strings.TrimSpace(s.Body), true
}

// section is one marked part of a command's output.
type section struct {
	Name  string            // the word after "fleetcheck:"; "" for text before the first marker
	Attrs map[string]string // key=value words of the marker line
	Body  string            // the lines up to the next marker, newline-terminated
}

// Attr returns the value of the marker attribute key, "" when absent.
func (s section) Attr(key string) string { return s.Attrs[key] }

// Lines returns the non-blank lines of the body, with trailing white space
// and carriage returns removed.
func (s section) Lines() []string {
	var out []string
	for _, l := range strings.Split(s.Body, "\n") {
		l = strings.TrimRight(l, " \t\r")
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// sections is a command's output split at its markers.
type sections []section

// Get returns the first section called name.
func (ss sections) Get(name string) (section, bool) {
	for _, s := range ss {
		if s.Name == name {
			return s, true
		}
	}
	return section{}, false
}

// All returns every section called name, in output order.
func (ss sections) All(name string) []section {
	var out []section
	for _, s := range ss {
		if s.Name == name {
			out = append(out, s)
		}
	}
	return out
}

// KeyValues returns the key=value lines of every section called name
// (later keys win); lines without "=" are ignored.
func (ss sections) KeyValues(name string) map[string]string {
	kv := map[string]string{}
	for _, s := range ss.All(name) {
		for _, l := range s.Lines() {
			if k, v, ok := strings.Cut(l, "="); ok {
				kv[strings.TrimSpace(k)] = strings.TrimSpace(v)
			}
		}
	}
	return kv
}

// parseMarker recognises a marker line and returns its name and attributes.
func parseMarker(line string) (string, map[string]string, bool) {
	line = strings.TrimRight(line, "\r")
	if !strings.HasPrefix(line, markerPrefix) || !strings.HasSuffix(line, markerSuffix) {
		return "", nil, false
	}
	inner := strings.TrimSuffix(strings.TrimPrefix(line, markerPrefix), markerSuffix)
	f := strings.Fields(inner)
	if len(f) == 0 {
		return "", nil, false
	}
	attrs := map[string]string{}
	for _, w := range f[1:] {
		if k, v, ok := strings.Cut(w, "="); ok {
			attrs[k] = v
		}
	}
	return f[0], attrs, true
}

// readSections validates a built-in's output and splits it at its markers.
// It fails, with a message fit for an UNKNOWN summary, when the output is
// empty, binary, or lacks the end marker (truncated, or not from our
// command at all).
func readSections(out Output) (sections, error) {
	stdout := out.Stdout
	if len(bytes.TrimSpace(stdout)) == 0 {
		return nil, fmt.Errorf("no output%s", exitNote(out))
	}
	if bytes.IndexByte(stdout, 0) >= 0 || !utf8.Valid(stdout) {
		return nil, fmt.Errorf("output is binary, not text (%d bytes)%s", len(stdout), exitNote(out))
	}
	// A body is the run of lines between two markers, cut from the output
	// in one piece, not grown line by line (quadratic: 40% of this
	// function's time on a puppet summary); it is cloned so that a result
	// keeping part of a body never keeps the whole output alive.
	text := string(stdout)
	var ss sections
	cur := section{}
	sawEnd, sawMarker := false, false
	bodyStart, pos := 0, 0
	for line := range strings.SplitAfterSeq(text, "\n") {
		lineStart := pos
		pos += len(line)
		if name, attrs, ok := parseMarker(strings.TrimSuffix(line, "\n")); ok {
			sawMarker = true
			cur.Body = strings.Clone(text[bodyStart:lineStart])
			if cur.Name != "" || cur.Body != "" {
				ss = append(ss, cur)
			}
			if name == endSection {
				sawEnd = true
				cur = section{}
				break
			}
			cur = section{Name: name, Attrs: attrs}
			bodyStart = pos
			continue
		}
	}
	if !sawEnd {
		cur.Body = strings.Clone(text[bodyStart:pos])
	}
	if !sawMarker && !bytes.Contains(stdout, []byte(markerPrefix)) {
		return nil, fmt.Errorf("unexpected output, not from this check's command: %q%s", firstLine(stdout, 60), exitNote(out))
	}
	if !sawEnd {
		if cur.Name != "" || cur.Body != "" {
			ss = append(ss, cur)
		}
		return ss, fmt.Errorf("output truncated (no end marker)%s", exitNote(out))
	}
	return ss, nil
}

// exitNote describes a non-zero exit status and the first line of stderr,
// for appending to an UNKNOWN summary; "" when the command exited 0.
func exitNote(out Output) string {
	var parts []string
	switch {
	case out.Signal != "":
		parts = append(parts, "killed by SIG"+out.Signal)
	case out.ExitCode != 0:
		parts = append(parts, fmt.Sprintf("exit %d", out.ExitCode))
	}
	if e := firstLine(out.Stderr, 100); e != "" {
		parts = append(parts, e)
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ": ") + ")"
}

// firstLine returns the first non-blank line of b, cut to at most max
// runes, with invalid UTF-8 replaced.
func firstLine(b []byte, max int) string {
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	for _, l := range strings.Split(s, "\n") {
		// A line may still hold a bare \r or other control characters
		// that would break a one-line summary.
		l = oneLine(l)
		if l == "" {
			continue
		}
		return clip(l, max)
	}
	return ""
}

// clip cuts s to at most max runes, marking the cut with "…".
func clip(s string, max int) string {
	if r := []rune(s); len(r) > max {
		return string(r[:max]) + "…"
	}
	return s
}

// unknownResult is the UNKNOWN result with the given summary.
func unknownResult(summary string) Result {
	return Result{Status: Unknown, Summary: summary}
}

// oneLine makes s safe for a one-line summary: control characters become
// spaces and runs of white space collapse.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
	return strings.Join(strings.Fields(s), " ")
}

// finding is one problem (or observation) a check reports, with the status
// it implies on its own.
type finding struct {
	Status Status
	Text   string
}

// findings collects what a check found, to be folded into one verdict.
type findings []finding

// Add records a finding.
func (f *findings) Add(s Status, format string, args ...any) {
	*f = append(*f, finding{Status: s, Text: fmt.Sprintf(format, args...)})
}

// Verdict returns the worst status and a summary listing the findings that
// are not OK, worst first (order kept among equals); ok is the summary
// when every finding is OK.
func (f findings) Verdict(ok string) (Status, string) {
	worst := OK
	for _, x := range f {
		worst = Worst(worst, x.Status)
	}
	if worst == OK {
		return OK, ok
	}
	var parts []string
	for _, level := range []Status{Critical, Unknown, Warning} {
		for _, x := range f {
			if x.Status == level {
				parts = append(parts, x.Text)
			}
		}
	}
	return worst, strings.Join(parts, "; ")
}
