package checks

import (
	"fmt"
	"strings"
	"unicode"
)

// serviceBuiltin reports `systemctl is-active` of named units.
func serviceBuiltin() Builtin {
	return Builtin{
		Name:    "service",
		Help:    "`systemctl is-active` of named units; not active is CRITICAL",
		Default: false,
		Params: []Param{
			{Name: "units", Help: "systemd units that must be active (list, required), e.g. [nginx.service, sshd]"},
		},
		New: newServiceCheck,
	}
}

// serviceCheck is a configured service check.
type serviceCheck struct {
	name  string
	units []string
}

func newServiceCheck(name string, p Params) (Check, error) {
	if err := p.CheckKnown("units"); err != nil {
		return nil, err
	}
	units, err := p.Strings("units", nil)
	if err != nil {
		return nil, err
	}
	if len(units) == 0 {
		return nil, paramErr("units", "required: a list of systemd units")
	}
	seen := map[string]bool{}
	var uniq []string
	for i, u := range units {
		if err := validUnitName(u); err != nil {
			return nil, paramErr("units", "item %d: %v", i+1, err)
		}
		if !seen[u] {
			seen[u] = true
			uniq = append(uniq, u)
		}
	}
	return &serviceCheck{name: name, units: uniq}, nil
}

// validUnitName refuses unit names that cannot be one word of systemctl's
// command line.
func validUnitName(u string) error {
	switch {
	case u == "":
		return fmt.Errorf("empty unit name")
	case strings.HasPrefix(u, "-"):
		return fmt.Errorf("unit name %q starts with '-'", u)
	case strings.IndexFunc(u, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return fmt.Errorf("unit name %q contains white space or control characters", u)
	}
	return nil
}

// Name is the configured name.
func (c *serviceCheck) Name() string { return c.name }

// Command prints "UNIT STATE" for every unit, or a marker when the host has
// no systemctl.
func (c *serviceCheck) Command() string {
	return "LC_ALL=C; export LC_ALL; if command -v systemctl >/dev/null 2>&1; then " +
		markerLine("units") + "; for u in " + shellQuoteAll(c.units...) +
		`; do printf '%s %s\n' "$u" "$(systemctl is-active -- "$u")"; done; else ` +
		markerLine("nosystemctl") + "; fi; " + markerLine(endSection)
}

// Evaluate is CRITICAL when a unit is neither active nor reloading, UNKNOWN
// when its state is missing.
func (c *serviceCheck) Evaluate(out Output) Result {
	ss, err := readSections(out)
	if err != nil {
		return unknownResult(err.Error())
	}
	if _, ok := ss.Get("nosystemctl"); ok {
		res := unknownResult("systemctl not found (not a systemd host?)")
		res.Reason = "no_systemd"
		return res
	}
	sec, ok := ss.Get("units")
	if !ok {
		return unknownResult("no unit states in the output")
	}
	states := map[string]string{}
	for _, l := range sec.Lines() {
		unit, state, _ := strings.Cut(l, " ")
		states[unit] = strings.TrimSpace(state)
	}
	var bad, missing, details []string
	active := 0
	for _, u := range c.units {
		state, ok := states[u]
		switch {
		case !ok || state == "":
			missing = append(missing, u)
			details = append(details, u+": no state reported")
		case state == "active" || state == "reloading":
			active++
			details = append(details, u+": "+state)
		default:
			state = clipText(oneLine(state), 40)
			bad = append(bad, fmt.Sprintf("%s (%s)", u, state))
			details = append(details, u+": "+state)
		}
	}
	if e := strings.TrimSpace(pluginText(out.Stderr)); e != "" {
		details = append(details, "stderr:\n"+e)
	}
	res := Result{
		Details: strings.Join(details, "\n"),
		Metrics: []Metric{
			{Name: "active", Value: float64(active), Crit: formatNumber(float64(len(c.units))) + ":"},
			{Name: "not_active", Value: float64(len(bad))},
		},
	}
	var parts []string
	if len(bad) > 0 {
		res.Status, res.Reason = Critical, "unit_inactive"
		parts = append(parts, fmt.Sprintf("%d of %d units not active: %s", len(bad), len(c.units), strings.Join(bad, ", ")))
	}
	if len(missing) > 0 {
		res.Status = Worst(res.Status, Unknown)
		if res.Reason == "" {
			res.Reason = "unit_state_missing"
		}
		parts = append(parts, fmt.Sprintf("no state for %s%s", strings.Join(missing, ", "), exitNote(out)))
	}
	switch {
	case len(parts) > 0:
		res.Summary = strings.Join(parts, "; ")
	case len(c.units) == 1:
		res.Summary = c.units[0] + " active"
	default:
		res.Summary = fmt.Sprintf("%d units active", len(c.units))
	}
	return res
}
