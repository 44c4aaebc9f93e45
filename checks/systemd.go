package checks

import (
	"fmt"
	"path"
	"strings"
)

// systemdBuiltin is the failed-units check.
func systemdBuiltin() Builtin {
	return Builtin{
		Name: "systemd",
		Help: "failed systemd units, by name (systemctl list-units --failed); CRITICAL if any is neither ignored nor warn_only",
		Params: []Param{
			{Name: "ignore", Default: "", Help: "unit name globs to ignore, e.g. [\"apt-daily*.service\", \"*.mount\"]"},
			{Name: "warn_only", Default: "", Help: "unit name globs whose failure is only a WARNING, e.g. [\"certbot.service\"]"},
		},
		Default: true,
		New:     newSystemdCheck,
	}
}

// systemdCheck is a configured systemd check.
type systemdCheck struct {
	name     string
	ignore   []string
	warnOnly []string
}

// newSystemdCheck validates params and builds a systemd check.
func newSystemdCheck(name string, p Params) (Check, error) {
	if err := p.CheckKnown("ignore", "warn_only"); err != nil {
		return nil, err
	}
	c := &systemdCheck{name: name}
	for _, l := range []struct {
		key string
		dst *[]string
	}{{"ignore", &c.ignore}, {"warn_only", &c.warnOnly}} {
		globs, err := p.Strings(l.key, nil)
		if err != nil {
			return nil, err
		}
		for _, g := range globs {
			if _, err := path.Match(g, ""); err != nil || g == "" {
				return nil, paramErr(l.key, "bad unit glob %q", g)
			}
		}
		*l.dst = globs
	}
	return c, nil
}

// Name returns the configured name.
func (c *systemdCheck) Name() string { return c.name }

// Command lists the failed units and the overall system state, or prints a
// "missing" marker where systemctl is not installed.
func (c *systemdCheck) Command() string {
	return strings.Join([]string{
		"LC_ALL=C; export LC_ALL; " + captureSetup,
		"if command -v systemctl >/dev/null 2>&1; then " +
			captureLines("failed", "systemctl list-units --failed --plain --no-legend --no-pager") +
			"; " + markerLine("state") + "; systemctl is-system-running 2>/dev/null" +
			"; else " + markerLine("missing", "tool=systemctl") + "; fi",
		markerLine(endSection),
	}, "\n")
}

// systemdLoadStates are the LOAD column values systemctl prints.
var systemdLoadStates = map[string]bool{
	"loaded": true, "not-found": true, "masked": true, "error": true,
	"bad-setting": true, "merged": true, "stub": true,
}

// systemdUnitTypes are the unit name suffixes systemd knows.
var systemdUnitTypes = []string{".service", ".socket", ".timer", ".mount", ".automount", ".swap",
	".target", ".path", ".slice", ".scope", ".device"}

// systemdUnit is one line of `systemctl list-units --plain --no-legend`.
type systemdUnit struct {
	Name, Load, Active, Sub, Description string
}

// parseSystemdUnit parses "nginx.service loaded failed failed A web server";
// a leading "●" or "*" (older systemctl without --plain) is skipped.
func parseSystemdUnit(line string) (systemdUnit, bool) {
	f := strings.Fields(line)
	if len(f) > 0 && (f[0] == "●" || f[0] == "*" || f[0] == "×") {
		f = f[1:]
	}
	if len(f) < 4 || !systemdLoadStates[f[1]] {
		return systemdUnit{}, false
	}
	known := false
	for _, t := range systemdUnitTypes {
		if strings.HasSuffix(f[0], t) && len(f[0]) > len(t) {
			known = true
			break
		}
	}
	if !known {
		return systemdUnit{}, false
	}
	return systemdUnit{Name: f[0], Load: f[1], Active: f[2], Sub: f[3], Description: strings.Join(f[4:], " ")}, true
}

// matchAny reports whether unit matches one of globs.
func matchAny(globs []string, unit string) bool {
	for _, g := range globs {
		if ok, _ := path.Match(g, unit); ok {
			return true
		}
	}
	return false
}

// Evaluate judges the failed units printed by Command.
func (c *systemdCheck) Evaluate(out Output) Result {
	ss, err := readSections(out)
	if err != nil {
		return unknownResult("systemd: " + err.Error())
	}
	if _, ok := ss.Get("missing"); ok {
		res := unknownResult("systemd: systemctl not found (host not running systemd?)")
		res.Reason = "no_systemd"
		return res
	}
	sec, ok := ss.Get("failed")
	rc, stderr, haveRC := ss.exitStatus("failed")
	if !ok || !haveRC {
		return unknownResult("systemd: output lacks the failed-units list")
	}
	if rc != 0 {
		msg := firstLine([]byte(stderr), 120)
		if msg == "" {
			msg = "no message"
		}
		return unknownResult(fmt.Sprintf("systemd: systemctl list-units failed (exit %d: %s)", rc, msg))
	}
	var failed, warned, ignored []systemdUnit
	for _, line := range sec.Lines() {
		u, ok := parseSystemdUnit(line)
		if !ok {
			return unknownResult(fmt.Sprintf("systemd: unrecognised systemctl output: %q", clip(oneLine(line), 80)))
		}
		switch {
		case matchAny(c.ignore, u.Name):
			ignored = append(ignored, u)
		case matchAny(c.warnOnly, u.Name):
			warned = append(warned, u)
		default:
			failed = append(failed, u)
		}
	}
	var details []string
	if st, ok := ss.Get("state"); ok && len(st.Lines()) > 0 {
		details = append(details, "system state: "+clip(oneLine(st.Lines()[0]), 40))
	}
	for _, u := range failed {
		details = append(details, systemdUnitLine("failed", u))
	}
	for _, u := range warned {
		details = append(details, systemdUnitLine("failed (warn_only)", u))
	}
	for _, u := range ignored {
		details = append(details, systemdUnitLine("ignored", u))
	}
	if stderr != "" {
		details = append(details, "systemctl: "+clip(oneLine(stderr), 200))
	}
	res := Result{Status: OK, Details: strings.Join(details, "\n"), Metrics: []Metric{
		{Name: "failed_units", Value: float64(len(failed) + len(warned)), Crit: "0", Min: floatPtr(0)},
	}}
	if len(failed)+len(warned) == 0 {
		res.Summary = "no failed units"
		if len(ignored) > 0 {
			res.Summary += fmt.Sprintf(" (%d ignored)", len(ignored))
		}
		return res
	}
	var names []string
	for _, u := range failed {
		names = append(names, u.Name)
	}
	for _, u := range warned {
		names = append(names, u.Name+" (warn_only)")
	}
	res.Status, res.Reason = Critical, "failed_units"
	if len(failed) == 0 {
		res.Status = Warning
	}
	res.Summary = fmt.Sprintf("%s: %s", plural(float64(len(names)), "failed unit"), joinCapped(names, 5))
	return res
}

// systemdUnitLine describes a unit for the details.
func systemdUnitLine(what string, u systemdUnit) string {
	s := fmt.Sprintf("%s: %s (%s, %s/%s)", what, u.Name, u.Load, u.Active, u.Sub)
	if u.Description != "" {
		s += " " + clip(oneLine(u.Description), 100)
	}
	return s
}

// joinCapped joins up to max items with ", " and counts the rest:
// "a, b, c and 4 more".
func joinCapped(items []string, max int) string {
	if len(items) <= max {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:max], ", "), len(items)-max)
}
