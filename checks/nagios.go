package checks

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// ansiEscape matches terminal colour and cursor sequences some plugins print.
var ansiEscape = regexp.MustCompile(`\x1b\[[0-9;?]*[ -/]*[@-~]`)

// Limits on what a plugin's output may put into a result.
const (
	nagiosMaxSummary = 300      // runes of the summary line (a longer one is kept whole in details)
	nagiosMaxDetails = 16 << 10 // bytes of details
)

// The reasons (Result.Reason) of a plugin's result that is not OK.
const (
	ReasonPluginWarning  = "plugin_warning"  // the plugin exited 1
	ReasonPluginCritical = "plugin_critical" // the plugin exited 2
	ReasonPluginUnknown  = "plugin_unknown"  // the plugin exited 3
	ReasonPluginMissing  = "plugin_missing"  // not found or not executable (126, 127)
	ReasonPluginSignal   = "plugin_signal"   // killed by a signal
	ReasonPluginBadExit  = "plugin_bad_exit" // no exit status, or one above 3
)

// CutOutputEvaluator is a check that still has a verdict when its output
// was cut at the runner's limit although the command ran to its end: the
// nagios check, whose verdict is the plugin's exit status.
type CutOutputEvaluator interface {
	// EvaluateCut is Evaluate of the output kept, noting the cut.
	EvaluateCut(out Output) Result
}

// nagiosBuiltin runs any Nagios-compatible plugin and maps its exit code,
// output and perfdata to a result.
func nagiosBuiltin() Builtin {
	return Builtin{
		Name:    "nagios",
		Help:    "any Nagios-compatible plugin: status from its exit code, its output and perfdata parsed",
		Default: false,
		Params: []Param{
			{Name: "command", Help: "the plugin command line, run by sh on the host as written (in YAML: `name: {nagios: CMD}`)"},
		},
		New: newnagiosCheck,
	}
}

// nagiosCheck is a configured Nagios plugin.
type nagiosCheck struct {
	name    string
	command string
}

func newnagiosCheck(name string, p Params) (Check, error) {
	if err := p.CheckKnown("command"); err != nil {
		return nil, err
	}
	cmd, err := p.String("command", "")
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(cmd) == "" {
		return nil, paramErr("command", "required: the plugin command line")
	}
	if strings.IndexByte(cmd, 0) >= 0 {
		return nil, paramErr("command", "contains a NUL byte")
	}
	return &nagiosCheck{name: name, command: cmd}, nil
}

// Name is the configured name.
func (c *nagiosCheck) Name() string { return c.name }

// Command is the plugin command line, as the operator wrote it.
func (c *nagiosCheck) Command() string { return c.command }

// Evaluate maps the plugin's exit code to a status (0 OK, 1 WARNING,
// 2 CRITICAL, 3 UNKNOWN, anything else UNKNOWN) and parses its output:
// the first line is the summary, later lines the long output, and text
// after a '|' on the first line or on any later line is perfdata (the
// Nagios 3 multi-line format).
func (c *nagiosCheck) Evaluate(out Output) Result {
	var res Result
	po := parsePluginOutput(out.Stdout)
	var notes []string
	switch {
	case out.Signal != "":
		res.Status, res.Reason = Unknown, ReasonPluginSignal
		res.Summary = fmt.Sprintf("plugin killed by signal %s", oneLine(out.Signal))
	case out.ExitCode == 127:
		res.Status, res.Reason = Unknown, ReasonPluginMissing
		res.Summary = "plugin not found: " + clipText(oneLine(pluginProgram(c.command)), 200)
	case out.ExitCode == 126:
		res.Status, res.Reason = Unknown, ReasonPluginMissing
		res.Summary = "plugin not executable: " + clipText(oneLine(pluginProgram(c.command)), 200)
	case out.ExitCode < 0:
		res.Status, res.Reason = Unknown, ReasonPluginBadExit
		res.Summary = "plugin ended without an exit status"
	case out.ExitCode > 3:
		res.Status, res.Reason = Unknown, ReasonPluginBadExit
		res.Summary = fmt.Sprintf("plugin exited with status %d (expected 0 to 3)", out.ExitCode)
	default:
		res.Status = Status(out.ExitCode)
		res.Reason = [...]string{"", ReasonPluginWarning, ReasonPluginCritical, ReasonPluginUnknown}[out.ExitCode]
	}
	summary := po.summary
	if n := utf8.RuneCountInString(summary); n > nagiosMaxSummary {
		notes = append(notes, fmt.Sprintf("summary line in full (%d characters):\n%s", n, summary))
		summary = clipRunes(summary, nagiosMaxSummary)
	}
	switch {
	case res.Summary == "":
		res.Summary = summary
		if res.Summary == "" {
			res.Summary = "(no output from plugin)"
		}
	case summary != "":
		notes = append([]string{"output: " + summary}, notes...)
	}
	res.Metrics = po.perf.Metrics
	var details []string
	details = append(details, notes...)
	if po.long != "" {
		details = append(details, po.long)
	}
	for _, l := range po.perf.Unknown {
		details = append(details, fmt.Sprintf("perfdata %q: value unknown (U)", l))
	}
	for _, err := range po.perf.Errors {
		details = append(details, err.Error())
	}
	if s := strings.TrimSpace(pluginText(out.Stderr)); s != "" {
		details = append(details, "stderr:\n"+s)
	}
	res.Details = clipDetails(pluginText([]byte(strings.Join(details, "\n"))), nagiosMaxDetails)
	return res
}

// EvaluateCut evaluates output cut at the runner's limit: the plugin's
// exit status and first line are the verdict, and the details say that
// the rest was not read.
func (c *nagiosCheck) EvaluateCut(out Output) Result {
	res := c.Evaluate(out)
	note := fmt.Sprintf("plugin output over the limit: only its first %s of stdout and %s of stderr were read (perfdata after the cut is lost)",
		formatBytes(float64(len(out.Stdout))), formatBytes(float64(len(out.Stderr))))
	res.Details = clipDetails(note+"\n"+res.Details, nagiosMaxDetails)
	return res
}

// clipRunes shortens s to at most n runes, marking the cut; it never
// splits a character.
func clipRunes(s string, n int) string {
	i := 0
	for pos := range s {
		if i == n {
			return strings.TrimRight(s[:pos], " ") + "…"
		}
		i++
	}
	return s
}

// clipDetails shortens details to at most n bytes on a line boundary
// where one is near, and says what was cut.
func clipDetails(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - 100 // room for the note
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	if nl := strings.LastIndexByte(s[:cut], '\n'); nl > cut-1024 && nl > 0 {
		cut = nl
	}
	rest := s[cut:]
	lines := strings.Count(strings.TrimPrefix(rest, "\n"), "\n") + 1
	return fmt.Sprintf("%s\n… details cut at %s: %s in %d more lines not shown", s[:cut], formatBytes(float64(n)), formatBytes(float64(len(rest))), lines)
}

// pluginOutput is a plugin's stdout split into its parts.
type pluginOutput struct {
	summary string   // first line before any '|', cleaned, one line
	long    string   // long output lines, cleaned
	perf    Perfdata // every perfdata part, parsed
}

// parsePluginOutput splits a plugin's stdout per the Nagios 3 format:
//
//	SUMMARY | PERFDATA
//	LONG OUTPUT...
//	LONG OUTPUT | PERFDATA
//	PERFDATA...
func parsePluginOutput(stdout []byte) pluginOutput {
	var po pluginOutput
	if bytes.IndexByte(stdout, 0) >= 0 {
		po.summary = fmt.Sprintf("plugin output is binary (%d bytes)", len(stdout))
		return po
	}
	text := strings.ReplaceAll(strings.ToValidUTF8(string(stdout), "\uFFFD"), "\r\n", "\n")
	text = ansiEscape.ReplaceAllString(text, "")
	text = strings.TrimRight(text, "\n")
	if strings.TrimSpace(text) == "" {
		return po
	}
	lines := strings.Split(text, "\n")
	first, firstPerf, _ := strings.Cut(lines[0], "|")
	po.summary = oneLine(first)
	if po.summary == "" {
		po.summary = "(empty summary line)"
	}
	perf := []string{firstPerf}
	var long []string
	inPerf := false
	for _, l := range lines[1:] {
		if inPerf {
			perf = append(perf, l)
			continue
		}
		text, p, ok := strings.Cut(l, "|")
		long = append(long, text)
		if ok {
			perf = append(perf, p)
			inPerf = true
		}
	}
	po.long = strings.TrimRight(strings.Join(long, "\n"), " \t\n")
	po.perf = ParsePerfdata(strings.Join(perf, " "))
	return po
}

// pluginProgram is the first word of a plugin command line.
func pluginProgram(cmd string) string {
	f := strings.Fields(cmd)
	if len(f) == 0 {
		return cmd
	}
	return f[0]
}

// pluginText makes a plugin's free text safe for details: valid UTF-8,
// newlines kept, tabs kept, other control characters removed, trailing
// white space of every line dropped.
func pluginText(b []byte) string {
	if !utf8.Valid(b) {
		b = bytes.ToValidUTF8(b, []byte("\uFFFD"))
	}
	s := strings.ReplaceAll(string(b), "\r\n", "\n")
	s = ansiEscape.ReplaceAllString(s, "")
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.Join(lines, "\n")
}
