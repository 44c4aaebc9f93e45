package checks

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// puppetLayout is one place Puppet keeps its files: the directory of
// last_run_summary.yaml ($publicdir, or $statedir before Puppet 7) and the
// state directory of last_run_report.yaml and the agent's locks.
type puppetLayout struct {
	summaryDir, stateDir string
}

// puppetLayouts are the layouts the check looks in, in this order (SPEC,
// "Where Puppet keeps its files"): Puppet ≥ 7 from Debian's and Ubuntu's
// packages, Puppet ≥ 7 from Puppet's own packages, Puppet ≤ 6 from
// distribution packages, Puppet 4-6 from Puppet's own packages.
var puppetLayouts = []puppetLayout{
	{"/var/cache/puppet/public", "/var/cache/puppet/state"},
	{"/opt/puppetlabs/puppet/public", "/opt/puppetlabs/puppet/cache/state"},
	{"/var/lib/puppet/state", "/var/lib/puppet/state"},
	{"/opt/puppetlabs/puppet/cache/state", "/opt/puppetlabs/puppet/cache/state"},
}

// Reasons the puppet check gives (Result.Reason), documented in README.md.
const (
	puppetReasonCatalog    = "catalog_failed"
	puppetReasonStale      = "stale"
	puppetReasonFailed     = "failed_resources"
	puppetReasonDisabled   = "disabled"
	puppetReasonCached     = "cached_catalog"
	puppetReasonHung       = "run_hung"
	puppetReasonNoSummary  = "no_summary"
	puppetReasonUnreadable = "unreadable"
	puppetReasonBadSummary = "bad_summary"
	puppetReasonNoLastRun  = "no_last_run"
	puppetReasonBadOutput  = "bad_output"
)

// puppetShownFailures is how many failed resources a result names.
const puppetShownFailures = 5

// puppetBuiltin is the puppet agent check.
func puppetBuiltin() Builtin {
	return Builtin{
		Name: "puppet",
		Help: "puppet agent: last run age (last_run_summary.yaml, newest of every layout), failed resources (named, " +
			"from last_run_report.yaml), \"Failed to apply catalog\", a cached catalog applied, agent disabled (lock " +
			"message and for how long), a run hung in progress; while disabled, the run age is reported but judged by disabled_crit only",
		Params: []Param{
			{Name: "warn", Default: "1h", Help: "WARNING when the last run is at least this old"},
			{Name: "crit", Default: "24h", Help: "CRITICAL when the last run is at least this old"},
			{Name: "disabled_crit", Default: "7d", Help: "CRITICAL when the agent has been disabled at least this long (WARNING before)"},
			{Name: "hung", Default: "1h", Help: "WARNING when a run has held agent_catalog_run.lock at least this long"},
			{Name: "root", Help: "directory the layouts are looked for under (a chroot, a container's root, a test); default /"},
		},
		Default: true,
		New:     newPuppetCheck,
	}
}

// puppetCheck is a configured puppet check.
type puppetCheck struct {
	name         string
	warn, crit   time.Duration
	disabledCrit time.Duration
	hung         time.Duration
	layouts      []puppetLayout // puppetLayouts under root
}

// newPuppetCheck validates params and builds a puppet check.
func newPuppetCheck(name string, p Params) (Check, error) {
	if err := p.CheckKnown("warn", "crit", "disabled_crit", "hung", "root"); err != nil {
		return nil, err
	}
	c := &puppetCheck{name: name}
	var err error
	if c.warn, err = p.Duration("warn", time.Hour); err != nil {
		return nil, err
	}
	if c.crit, err = p.Duration("crit", 24*time.Hour); err != nil {
		return nil, err
	}
	if c.disabledCrit, err = p.Duration("disabled_crit", 7*24*time.Hour); err != nil {
		return nil, err
	}
	if c.hung, err = p.Duration("hung", time.Hour); err != nil {
		return nil, err
	}
	root, err := p.String("root", "")
	if err != nil {
		return nil, err
	}
	switch {
	case c.warn <= 0:
		return nil, paramErr("warn", "must be more than 0")
	case c.crit <= 0:
		return nil, paramErr("crit", "must be more than 0")
	case c.crit < c.warn:
		return nil, paramErr("crit", "%s is less than warn (%s)", c.crit, c.warn)
	case c.disabledCrit <= 0:
		return nil, paramErr("disabled_crit", "must be more than 0")
	case c.hung <= 0:
		return nil, paramErr("hung", "must be more than 0")
	case root != "" && !strings.HasPrefix(root, "/"):
		return nil, paramErr("root", "%q is not an absolute path", root)
	case strings.ContainsAny(root, "\n\x00"):
		return nil, paramErr("root", "holds a newline or NUL")
	}
	c.layouts = puppetLayoutsUnder(strings.TrimRight(root, "/"))
	return c, nil
}

// puppetLayoutsUnder is puppetLayouts with every directory under root
// ("" for the host's own root).
func puppetLayoutsUnder(root string) []puppetLayout {
	ls := make([]puppetLayout, len(puppetLayouts))
	for i, l := range puppetLayouts {
		ls[i] = puppetLayout{root + l.summaryDir, root + l.stateDir}
	}
	return ls
}

// Name returns the configured name.
func (c *puppetCheck) Name() string { return c.name }

// Command prints the host's clock, every last_run_summary.yaml of the
// layouts (or which one it could not read), and then, from the state
// directory of the summary with the newest time.last_run (or the first
// holding a lock when there is no summary), the disable lock, the run
// lock and what the check needs of last_run_report.yaml, extracted on
// the host by puppetReportAwk so that a report of megabytes never crosses
// the wire. Each part comes under its own marker; "layout=N" names the
// layout by its index in layouts.
func (c *puppetCheck) Command() string {
	mtime := `mtime=$(m "$f")`
	lines := []string{
		"LC_ALL=C; export LC_ALL",
		`echo "now=$(date +%s)"`,
		`m() { stat -c %Y "$1" 2>/dev/null || date -r "$1" +%s 2>/dev/null; }`,
		// s INDEX SUMMARYDIR STATEDIR prints one layout's summary and keeps
		// the layout of the newest last_run (the first on a tie) in bi, bd.
		"bl=-1; bi=; bd=",
		`s() { f=$2/last_run_summary.yaml; if [ -f "$f" ] && [ -r "$f" ]; then ` +
			markerLine("summary", "layout=$1", mtime) + `; head -c 65536 "$f"; echo; ` +
			`lr=$(sed -n 's/.*last_run: *\([0-9]\{1,12\}\).*/\1/p' "$f" | head -n 1); ` +
			`if [ "${lr:-0}" -gt "$bl" ]; then bl=${lr:-0}; bi=$1; bd=$3; fi; ` +
			`elif [ -e "$f" ] || { [ -d "$2" ] && ! [ -x "$2" ]; }; then ` + markerLine("unreadable", "layout=$1", "dir=$2") + "; fi; }",
	}
	for i, l := range c.layouts {
		lines = append(lines, "s "+strconv.Itoa(i)+" "+shellQuoteAll(l.summaryDir, l.stateDir))
	}
	for i, l := range c.layouts {
		d := shellQuote(l.stateDir)
		lines = append(lines, `if [ -z "$bi" ] && { [ -f `+d+`/agent_disabled.lock ] || [ -f `+d+`/agent_catalog_run.lock ]; }; then bi=`+
			strconv.Itoa(i)+"; bd="+d+"; fi")
	}
	lines = append(lines,
		`if [ -n "$bi" ] && [ -d "$bd" ] && ! [ -x "$bd" ]; then `+markerLine("stateunreadable", "layout=$bi")+"; fi",
		`if [ -n "$bi" ]; then `+
			`f=$bd/agent_disabled.lock; if [ -f "$f" ]; then `+markerLine("lock", "layout=$bi", mtime)+`; head -c 4096 "$f" 2>/dev/null; echo; fi; `+
			`f=$bd/agent_catalog_run.lock; if [ -f "$f" ]; then `+markerLine("runlock", "layout=$bi", mtime)+`; head -c 64 "$f" 2>/dev/null; echo; fi; `+
			`f=$bd/last_run_report.yaml; if [ -f "$f" ]; then `+markerLine("report", "layout=$bi", mtime)+`; awk `+shellQuote(puppetReportAwk)+` "$f" 2>&1 | head -c 16384; echo; fi; `+
			"fi",
		markerLine(endSection),
	)
	return strings.Join(lines, "\n")
}

// layoutOf is the layout a marker's "layout=N" points at; false for an
// index out of range (output not from this command).
func (c *puppetCheck) layoutOf(s section) (puppetLayout, int, bool) {
	i, err := strconv.Atoi(s.Attr("layout"))
	if err != nil || i < 0 || i >= len(c.layouts) {
		return puppetLayout{"?", "?"}, -1, false
	}
	return c.layouts[i], i, true
}

// summaryDirs lists every directory looked in for a summary, once each.
func (c *puppetCheck) summaryDirs() []string {
	var dirs []string
	seen := map[string]bool{}
	for _, l := range c.layouts {
		if !seen[l.summaryDir] {
			seen[l.summaryDir] = true
			dirs = append(dirs, l.summaryDir)
		}
	}
	return dirs
}

// puppetSummary is the part of last_run_summary.yaml the check reads.
type puppetSummary struct {
	Version *struct {
		Config any `yaml:"config"`
		Puppet any `yaml:"puppet"`
	} `yaml:"version"`
	Application *struct {
		Environment string `yaml:"converged_environment"`
	} `yaml:"application"`
	Resources map[string]float64 `yaml:"resources"`
	Time      map[string]float64 `yaml:"time"`
	Events    map[string]float64 `yaml:"events"`
}

// puppetLock is agent_disabled.lock: JSON written by `puppet agent --disable`.
type puppetLock struct {
	Message string `json:"disabled_message"`
}

// foundSummary is one summary the command printed, parsed.
type foundSummary struct {
	sec    section
	path   string
	layout int
	ps     puppetSummary
}

// Evaluate judges the summaries, locks and report printed by Command.
func (c *puppetCheck) Evaluate(out Output) Result {
	ss, err := readSections(out)
	if err != nil {
		return puppetUnknown(puppetReasonBadOutput, "puppet: "+err.Error())
	}
	if u, ok := ss.Get("unreadable"); ok {
		l, _, _ := c.layoutOf(u)
		return puppetUnknown(puppetReasonUnreadable, fmt.Sprintf("puppet: cannot read %s (permission denied: run the check as root or the puppet user)", l.summaryDir))
	}
	now, hostClock := hostNow(ss, out)
	j := &puppetJudgement{}
	if !hostClock {
		j.details = append(j.details, "the host did not print its clock: ages are measured against fleetcheck's")
	}
	best, bad := c.newestSummary(ss)
	if best == nil && bad.Status != OK {
		return bad
	}
	if bad.Status != OK {
		j.details = append(j.details, "ignored: "+bad.Summary)
	}
	stateDir := ""
	if best != nil {
		stateDir = c.layouts[best.layout].stateDir
	}
	// The locks and report come from the state directory of the newest
	// summary, or from the first holding a lock when there is none.
	fromState := func(name, file string) (section, bool) {
		s, ok := ss.Get(name)
		if !ok {
			return s, false
		}
		l, _, good := c.layoutOf(s)
		if good && stateDir != "" && l.stateDir != stateDir {
			j.details = append(j.details, "ignored: "+l.stateDir+"/"+file+" (not the state directory of the newest summary)")
			return s, false
		}
		return s, good
	}
	if u, ok := fromState("stateunreadable", ""); ok {
		l, _, _ := c.layoutOf(u)
		j.details = append(j.details, "cannot read "+l.stateDir+": the report and the agent's locks are not seen (run the check as root or the puppet user)")
	}
	if lock, ok := fromState("lock", "agent_disabled.lock"); ok {
		c.judgeLock(j, lock, now)
	}
	if rl, ok := fromState("runlock", "agent_catalog_run.lock"); ok {
		c.judgeRunLock(j, rl, now)
	}
	if best == nil {
		j.add(Unknown, puppetReasonNoSummary, "no summary found (looked in %s)", strings.Join(c.summaryDirs(), ", "))
		return j.result("")
	}
	j.details = append([]string{"summary: " + best.path + puppetVersionNote(best.ps)}, j.details...)
	var rep *puppetReport
	if rs, ok := fromState("report", "last_run_report.yaml"); ok {
		rep = c.readReport(j, rs, best.sec)
	}
	ageText := c.judgeAge(j, best.ps, best.sec, best.path, now)
	okText := judgeResources(j, best.ps, rep)
	if rep != nil {
		judgeReport(j, rep)
	}
	res := j.result(ageText + ": " + okText)
	if res.Status != OK && ageText != "" && !strings.Contains(res.Summary, ageText) {
		res.Summary += "; " + ageText
	}
	return res
}

// newestSummary parses every summary printed and returns the one with the
// newest time.last_run (the first on a tie, as the command chose), and an
// UNKNOWN result for the first that could not be read as a summary (OK
// status when all could).
func (c *puppetCheck) newestSummary(ss sections) (*foundSummary, Result) {
	var best *foundSummary
	bestRun := -1.0
	var bad Result
	for _, s := range ss.All("summary") {
		l, i, ok := c.layoutOf(s)
		if !ok {
			continue
		}
		path := l.summaryDir + "/last_run_summary.yaml"
		ps, err := parsePuppetSummary(s.Body)
		if err != nil {
			if bad.Status == OK {
				bad = puppetUnknown(puppetReasonBadSummary, fmt.Sprintf("puppet: cannot parse %s: %s", path, clip(oneLine(err.Error()), 160)))
			}
			continue
		}
		if ps.Version == nil && ps.Time == nil {
			if bad.Status == OK {
				bad = puppetUnknown(puppetReasonBadSummary, fmt.Sprintf("puppet: %s is not a run summary (no version or time section)", path))
			}
			continue
		}
		run := 0.0
		if v, ok := ps.Time["last_run"]; ok && v > 0 {
			run = math.Floor(v)
		}
		if run > bestRun {
			bestRun = run
			best = &foundSummary{sec: s, path: path, layout: i, ps: ps}
		}
	}
	return best, bad
}

// puppetUnknown is an UNKNOWN result with a reason.
func puppetUnknown(reason, summary string) Result {
	r := unknownResult(summary)
	r.Reason = reason
	return r
}

// puppetJudgement accumulates what Evaluate found.
type puppetJudgement struct {
	f        findings
	reasons  []string // reasons[i] is why f[i] was added
	details  []string
	metrics  []Metric
	disabled bool // the agent is disabled: its run age is not judged
}

// add records a finding and its reason.
func (j *puppetJudgement) add(s Status, reason, format string, args ...any) {
	j.f.Add(s, format, args...)
	j.reasons = append(j.reasons, reason)
}

// result is the verdict: the summary lists the findings worst first (ok
// when there is none) and the reason is that of the first listed.
func (j *puppetJudgement) result(ok string) Result {
	status, summary := j.f.Verdict(ok)
	r := Result{Status: status, Summary: summary, Details: strings.Join(j.details, "\n"), Metrics: j.metrics}
	for _, level := range []Status{Critical, Unknown, Warning} {
		for i, x := range j.f {
			if x.Status == level && r.Reason == "" {
				r.Reason = j.reasons[i]
			}
		}
	}
	return r
}

// judgeLock reports the agent as disabled, with the lock's message and age.
func (c *puppetCheck) judgeLock(j *puppetJudgement, lock section, now time.Time) {
	j.disabled = true
	l, _, _ := c.layoutOf(lock)
	msg := strconv.Quote(puppetLockMessage(lock.Body))
	text := "agent disabled"
	detail := "agent disabled (" + l.stateDir + "/agent_disabled.lock)"
	status := Warning
	if since, known := unixAttr(lock, "mtime"); known {
		d := nonNegative(now.Sub(since))
		text += " for " + humanDuration(d)
		detail += " since " + since.UTC().Format(time.RFC3339) + ", " + humanDuration(d) + " ago"
		if d >= c.disabledCrit {
			status = Critical
		}
	}
	j.add(status, puppetReasonDisabled, "%s: %s", text, msg)
	j.details = append(j.details, detail+": "+msg)
}

// judgeRunLock reports a run in progress (agent_catalog_run.lock, which
// holds the agent's pid), a WARNING once it has been held for c.hung.
func (c *puppetCheck) judgeRunLock(j *puppetJudgement, rl section, now time.Time) {
	l, _, _ := c.layoutOf(rl)
	pid := strings.TrimSpace(rl.Body)
	if n, err := strconv.Atoi(pid); err != nil || n <= 0 {
		pid = "unknown"
	}
	since, known := unixAttr(rl, "mtime")
	if !known {
		j.details = append(j.details, "a run is in progress (pid "+pid+", "+l.stateDir+"/agent_catalog_run.lock), since when unknown")
		return
	}
	d := nonNegative(now.Sub(since))
	j.details = append(j.details, fmt.Sprintf("a run is in progress (pid %s, %s/agent_catalog_run.lock) since %s, %s ago",
		pid, l.stateDir, since.UTC().Format(time.RFC3339), humanDuration(d)))
	if d >= c.hung {
		j.add(Warning, puppetReasonHung, "run in progress for %s (pid %s, ≥ %s)", humanDuration(d), pid, humanDuration(c.hung))
	}
}

// judgeAge judges the age of the last run (time.last_run, else the
// summary's mtime) and returns "last run 12m ago", or "" when unknown.
func (c *puppetCheck) judgeAge(j *puppetJudgement, ps puppetSummary, sum section, path string, now time.Time) string {
	lastRun, ok := floatTime(ps.Time, "last_run")
	if !ok {
		if lastRun, ok = unixAttr(sum, "mtime"); ok {
			j.details = append(j.details, "time.last_run missing: age taken from the file's modification time")
		}
	}
	if !ok {
		j.add(Unknown, puppetReasonNoLastRun, "last run time unknown (no time.last_run in %s)", path)
		return ""
	}
	age := now.Sub(lastRun)
	if age < 0 {
		j.details = append(j.details, fmt.Sprintf("last run is %s in the future of the host's clock", humanDuration(-age)))
		age = 0
	}
	ageText := "last run " + humanDuration(age) + " ago"
	j.details = append(j.details, "last run: "+lastRun.UTC().Format(time.RFC3339)+" ("+humanDuration(age)+" ago)")
	switch {
	case j.disabled:
		// A disabled agent does not run: disabled_crit judges it.
	case age >= c.crit:
		j.add(Critical, puppetReasonStale, "%s (≥ %s)", ageText, humanDuration(c.crit))
	case age >= c.warn:
		j.add(Warning, puppetReasonStale, "%s (≥ %s)", ageText, humanDuration(c.warn))
	}
	j.metrics = append(j.metrics, Metric{Name: "age", Value: math.Round(age.Seconds()), Unit: "s",
		Warn: secondsText(c.warn), Crit: secondsText(c.crit), Min: floatPtr(0)})
	return ageText
}

// judgeResources reports a catalog not applied (no resources or events
// section, zero resources, or no time.catalog_application) and failed
// resources or events, named from the report when there is one, and
// returns the healthy summary's tail: "1023 resources, 0 failed, run took 23.4s".
func judgeResources(j *puppetJudgement, ps puppetSummary, rep *puppetReport) string {
	failed := ps.Resources["failed"]
	failedRestart := ps.Resources["failed_to_restart"]
	total := ps.Resources["total"]
	why := ""
	_, applied := ps.Time["catalog_application"]
	switch {
	case ps.Resources == nil || ps.Events == nil:
		var missing []string
		if ps.Resources == nil {
			missing = append(missing, "resources")
		}
		if ps.Events == nil {
			missing = append(missing, "events")
		}
		why = "no " + strings.Join(missing, " or ") + " in the last run summary"
	case total == 0:
		why = "0 resources in the last run"
	case !applied:
		why = "no time.catalog_application in the last run summary"
	}
	if why != "" {
		if e := rep.why(); e != "" {
			why += ": " + e
		}
		j.add(Critical, puppetReasonCatalog, "Failed to apply catalog (%s)", why)
	}
	switch {
	case failed > 0 || failedRestart > 0:
		n := max(failed, failedRestart) // Puppet ≥ 4 counts a failed restart as failed too
		text := plural(n, "resource") + " failed"
		if failedRestart > 0 {
			text += " (" + strconv.FormatFloat(failedRestart, 'f', -1, 64) + " to restart)"
		}
		if rep != nil && len(rep.failed) > 0 {
			text += ": " + namedList(rep.failed, max(rep.failedCount, int(n)))
		}
		if skipped := ps.Resources["skipped"]; skipped > 0 {
			text += ", " + strconv.FormatFloat(skipped, 'f', -1, 64) + " skipped"
		}
		j.add(Warning, puppetReasonFailed, "%s", text)
	case ps.Events["failure"] > 0:
		j.add(Warning, puppetReasonFailed, "%s", plural(ps.Events["failure"], "failed event"))
	}
	if ps.Resources != nil {
		j.details = append(j.details, "resources: "+puppetCounts(ps.Resources, "total", "failed", "failed_to_restart", "changed", "out_of_sync", "skipped"))
	}
	if ps.Events != nil {
		j.details = append(j.details, "events: "+puppetCounts(ps.Events, "total", "success", "failure"))
	}
	j.metrics = append(j.metrics,
		Metric{Name: "failed_resources", Value: failed, Warn: "0", Min: floatPtr(0)},
		Metric{Name: "total_resources", Value: total, Min: floatPtr(0)})
	okText := fmt.Sprintf("%s, 0 failed", plural(total, "resource"))
	if runTime, ok := ps.Time["total"]; ok {
		rt := strconv.FormatFloat(runTime, 'f', 1, 64)
		j.metrics = append(j.metrics, Metric{Name: "run_time", Value: runTime, Unit: "s", Min: floatPtr(0)})
		j.details = append(j.details, "run time: "+rt+"s")
		okText += ", run took " + rt + "s"
	}
	if n := ps.Resources["corrective_change"]; n > 0 {
		okText += ", " + plural(n, "corrective change")
	}
	if n := ps.Events["noop"]; n > 0 {
		okText += ", " + plural(n, "change") + " pending (noop)"
	}
	return okText
}

// namedList writes up to puppetShownFailures names, then "and N more"
// for the rest of total.
func namedList(names []string, total int) string {
	shown := names[:min(len(names), puppetShownFailures)]
	s := strings.Join(shown, ", ")
	if rest := max(total, len(names)) - len(shown); rest > 0 {
		s += fmt.Sprintf(" and %d more", rest)
	}
	return s
}

// puppetLockMessage extracts disabled_message from the lock's JSON; an
// empty lock (older agents) or a lock without a message gives "no reason
// given", and a lock that is not JSON gives its first line.
func puppetLockMessage(body string) string {
	body = strings.TrimSpace(body)
	if body == "" {
		return "no reason given"
	}
	var l puppetLock
	if err := json.Unmarshal([]byte(body), &l); err != nil {
		return oneLine(firstLine([]byte(body), 200))
	}
	if strings.TrimSpace(l.Message) == "" {
		return "no reason given"
	}
	return oneLine(l.Message)
}

// puppetVersionNote describes the agent version, catalog version and
// environment of a summary, e.g. " (puppet 7.28.0, config 1700000000, environment production)".
func puppetVersionNote(ps puppetSummary) string {
	var parts []string
	if ps.Version != nil {
		if ps.Version.Puppet != nil {
			parts = append(parts, fmt.Sprintf("puppet %v", ps.Version.Puppet))
		}
		if ps.Version.Config != nil {
			parts = append(parts, fmt.Sprintf("config %v", ps.Version.Config))
		}
	}
	if ps.Application != nil && ps.Application.Environment != "" {
		parts = append(parts, "environment "+ps.Application.Environment)
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + oneLine(strings.Join(parts, ", ")) + ")"
}

// puppetCounts lists the named counters of a summary section, then any
// other non-zero ones in key order: "total 512, failed 0, ...".
func puppetCounts(m map[string]float64, first ...string) string {
	var parts []string
	seen := map[string]bool{}
	for _, k := range first {
		seen[k] = true
		if v, ok := m[k]; ok {
			parts = append(parts, k+" "+strconv.FormatFloat(v, 'f', -1, 64))
		}
	}
	var rest []string
	for k, v := range m {
		if !seen[k] && v != 0 {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		parts = append(parts, k+" "+strconv.FormatFloat(m[k], 'f', -1, 64))
	}
	return strings.Join(parts, ", ")
}

// hostNow is the host's clock as printed by a command's "now=EPOCH" line
// before its first marker (true), else out.Now (false).
func hostNow(ss sections, out Output) (time.Time, bool) {
	if v, ok := ss.KeyValues("")["now"]; ok {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 {
			return time.Unix(n, 0), true
		}
	}
	return out.Now, false
}

// unixAttr reads a marker attribute holding Unix seconds.
func unixAttr(s section, key string) (time.Time, bool) {
	n, err := strconv.ParseInt(s.Attr(key), 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}, false
	}
	return time.Unix(n, 0), true
}

// maxUnixSeconds bounds plausible Unix times (about the year 2514).
const maxUnixSeconds = 1 << 34

// floatTime reads a map entry holding Unix seconds.
func floatTime(m map[string]float64, key string) (time.Time, bool) {
	v, ok := m[key]
	if !ok || v <= 0 || v > maxUnixSeconds {
		return time.Time{}, false
	}
	return time.Unix(int64(v), 0), true
}

// humanDuration writes d coarsely for people: "45s", "12m", "3h12m", "2d3h".
func humanDuration(d time.Duration) string {
	d = nonNegative(d)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int64(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int64(d/time.Minute))
	case d < 24*time.Hour:
		h, m := int64(d/time.Hour), int64(d%time.Hour/time.Minute)
		if m == 0 {
			return fmt.Sprintf("%dh", h)
		}
		return fmt.Sprintf("%dh%dm", h, m)
	}
	days, h := int64(d/(24*time.Hour)), int64(d%(24*time.Hour)/time.Hour)
	if h == 0 {
		return fmt.Sprintf("%dd", days)
	}
	return fmt.Sprintf("%dd%dh", days, h)
}

// nonNegative clamps d at 0.
func nonNegative(d time.Duration) time.Duration {
	if d < 0 {
		return 0
	}
	return d
}

// secondsText writes a duration as whole seconds, for threshold ranges.
func secondsText(d time.Duration) string {
	return strconv.FormatInt(int64(d/time.Second), 10)
}

// plural writes "1 resource", "3 resources".
func plural(n float64, noun string) string {
	s := strconv.FormatFloat(n, 'f', -1, 64) + " " + noun
	if n != 1 {
		s += "s"
	}
	return s
}

// floatPtr returns a pointer to v, for Metric.Min and Max.
func floatPtr(v float64) *float64 { return &v }
