package checks

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/fleetcheck/fleetcheck/internal/duration"
)

// puppetStateDirs are where the agent keeps last_run_summary.yaml and
// agent_disabled.lock, newest layout first: Puppet ≥ 4 (AIO packages),
// then Puppet 3 and distribution packages.
var puppetStateDirs = []string{"/opt/puppetlabs/puppet/cache/state", "/var/lib/puppet/state"}

// puppetBuiltin is the puppet agent check.
func puppetBuiltin() Builtin {
	return Builtin{
		Name: "puppet",
		Help: "puppet agent: last run age (last_run_summary.yaml), failed resources, " +
			"\"Failed to apply catalog\", agent disabled (lock message and for how long); " +
			"while disabled, the run age is reported but judged by disabled_crit only",
		Params: []Param{
			{Name: "warn", Default: "1h", Help: "WARNING when the last run is at least this old"},
			{Name: "crit", Default: "24h", Help: "CRITICAL when the last run is at least this old"},
			{Name: "disabled_crit", Default: "7d", Help: "CRITICAL when the agent has been disabled at least this long (WARNING before)"},
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
	stateDirs    []string // where to look, puppetStateDirs but in tests
}

// newPuppetCheck validates params and builds a puppet check.
func newPuppetCheck(name string, p Params) (Check, error) {
	if err := p.CheckKnown("warn", "crit", "disabled_crit"); err != nil {
		return nil, err
	}
	c := &puppetCheck{name: name, stateDirs: puppetStateDirs}
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
	switch {
	case c.warn <= 0:
		return nil, paramErr("warn", "must be more than 0")
	case c.crit <= 0:
		return nil, paramErr("crit", "must be more than 0")
	case c.crit < c.warn:
		return nil, paramErr("crit", "%s is less than warn (%s)", c.crit, c.warn)
	case c.disabledCrit <= 0:
		return nil, paramErr("disabled_crit", "must be more than 0")
	}
	return c, nil
}

// Name returns the configured name.
func (c *puppetCheck) Name() string { return c.name }

// Command prints the host's clock, the first last_run_summary.yaml found
// (or which state directory it could not read) and the agent's disable
// lock with its modification time, each under its own marker; "dir=N"
// names the state directory by its index in stateDirs.
func (c *puppetCheck) Command() string {
	dirs := shellQuoteAll(c.stateDirs...)
	mtime := `$(stat -c %Y "$f" 2>/dev/null || date -r "$f" +%s 2>/dev/null)`
	return strings.Join([]string{
		"LC_ALL=C; export LC_ALL",
		`echo "now=$(date +%s)"`,
		"i=0; for d in " + dirs + "; do f=$d/last_run_summary.yaml; " +
			`if [ -f "$f" ] && [ -r "$f" ]; then ` + markerLine("summary", "dir=$i", "mtime="+mtime) +
			`; head -c 65536 "$f"; echo; break; ` +
			`elif [ -e "$f" ] || { [ -d "$d" ] && ! [ -x "$d" ]; }; then ` + markerLine("unreadable", "dir=$i") + "; break; fi; i=$((i+1)); done",
		"i=0; for d in " + dirs + "; do f=$d/agent_disabled.lock; " +
			`if [ -f "$f" ]; then ` + markerLine("lock", "dir=$i", "mtime="+mtime) +
			`; head -c 4096 "$f" 2>/dev/null; echo; break; fi; i=$((i+1)); done`,
		markerLine(endSection),
	}, "\n")
}

// stateFile names file in the state directory a marker's "dir=N" points
// at; an index out of range (output not from this command) gives "?/file".
func (c *puppetCheck) stateFile(s section, file string) string {
	i, err := strconv.Atoi(s.Attr("dir"))
	if err != nil || i < 0 || i >= len(c.stateDirs) {
		return "?/" + file
	}
	return c.stateDirs[i] + "/" + file
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

// Evaluate judges the summary and lock printed by Command.
func (c *puppetCheck) Evaluate(out Output) Result {
	ss, err := readSections(out)
	if err != nil {
		return unknownResult("puppet: " + err.Error())
	}
	if u, ok := ss.Get("unreadable"); ok {
		return unknownResult(fmt.Sprintf("puppet: cannot read %s (permission denied: run the check as root or the puppet user)",
			strings.TrimSuffix(c.stateFile(u, ""), "/")))
	}
	now, hostClock := hostNow(ss, out)
	j := &puppetJudgement{}
	if !hostClock {
		j.details = append(j.details, "the host did not print its clock: ages are measured against fleetcheck's")
	}
	if lock, ok := ss.Get("lock"); ok {
		c.judgeLock(j, lock, now)
	}
	sum, ok := ss.Get("summary")
	if !ok {
		j.f.Add(Unknown, "no last_run_summary.yaml in %s (puppet never ran or is not installed)", strings.Join(c.stateDirs, " or "))
		st, s := j.f.Verdict("")
		return Result{Status: st, Summary: s, Details: strings.Join(j.details, "\n")}
	}
	path := c.stateFile(sum, "last_run_summary.yaml")
	ps, err := parsePuppetSummary(sum.Body)
	if err != nil {
		return unknownResult(fmt.Sprintf("puppet: cannot parse %s: %s", path, clip(oneLine(err.Error()), 160)))
	}
	if ps.Version == nil && ps.Time == nil {
		return unknownResult(fmt.Sprintf("puppet: %s is not a run summary (no version or time section)", path))
	}
	j.details = append([]string{"summary: " + path + puppetVersionNote(ps)}, j.details...)
	ageText := c.judgeAge(j, ps, sum, path, now)
	okText := judgeResources(j, ps)
	status, summary := j.f.Verdict(ageText + ": " + okText)
	if status != OK && ageText != "" && !strings.Contains(summary, ageText) {
		summary += "; " + ageText
	}
	return Result{Status: status, Summary: summary, Details: strings.Join(j.details, "\n"), Metrics: j.metrics}
}

// puppetJudgement accumulates what Evaluate found.
type puppetJudgement struct {
	f        findings
	details  []string
	metrics  []Metric
	disabled bool // the agent is disabled: its run age is not judged
}

// judgeLock reports the agent as disabled, with the lock's message and age.
func (c *puppetCheck) judgeLock(j *puppetJudgement, lock section, now time.Time) {
	j.disabled = true
	msg := strconv.Quote(puppetLockMessage(lock.Body))
	text := "agent disabled"
	detail := "agent disabled (" + c.stateFile(lock, "agent_disabled.lock") + ")"
	status := Warning
	if since, known := unixAttr(lock, "mtime"); known {
		d := nonNegative(now.Sub(since))
		text += " for " + humanDuration(d)
		detail += " since " + since.UTC().Format(time.RFC3339) + ", " + humanDuration(d) + " ago"
		if d >= c.disabledCrit {
			status = Critical
		}
	}
	j.f.Add(status, "%s: %s", text, msg)
	j.details = append(j.details, detail+": "+msg)
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
		j.f.Add(Unknown, "last run time unknown (no time.last_run in %s)", path)
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
		j.f.Add(Critical, "%s (≥ %s)", ageText, humanDuration(c.crit))
	case age >= c.warn:
		j.f.Add(Warning, "%s (≥ %s)", ageText, humanDuration(c.warn))
	}
	j.metrics = append(j.metrics, Metric{Name: "age", Value: math.Round(age.Seconds()), Unit: "s",
		Warn: secondsText(c.warn), Crit: secondsText(c.crit), Min: floatPtr(0)})
	return ageText
}

// judgeResources reports a catalog failure (no resources or events
// section, or zero resources) and failed resources or events, and returns
// the healthy summary's tail: "1023 resources, 0 failed, run took 23.4s".
func judgeResources(j *puppetJudgement, ps puppetSummary) string {
	failed := ps.Resources["failed"]
	total := ps.Resources["total"]
	switch {
	case ps.Resources == nil || ps.Events == nil:
		var missing []string
		if ps.Resources == nil {
			missing = append(missing, "resources")
		}
		if ps.Events == nil {
			missing = append(missing, "events")
		}
		j.f.Add(Critical, "Failed to apply catalog (no %s in the last run summary)", strings.Join(missing, " or "))
	case total == 0:
		j.f.Add(Critical, "Failed to apply catalog (0 resources in the last run)")
	}
	if failed > 0 {
		j.f.Add(Warning, "%s failed", plural(failed, "resource"))
	} else if ev := ps.Events["failure"]; ev > 0 {
		j.f.Add(Warning, "%s", plural(ev, "failed event"))
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
	return okText
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
func humanDuration(d time.Duration) string { return duration.Human(d) }

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
