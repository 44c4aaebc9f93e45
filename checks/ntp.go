package checks

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// ntpBuiltin is the clock synchronisation check.
func ntpBuiltin() Builtin {
	return Builtin{
		Name: "ntp",
		Help: "clock offset and sync state: chrony (chronyc tracking) if it answers, else " +
			"timedatectl (NTPSynchronized, and the offset from timesync-status under systemd-timesyncd)",
		Params: []Param{
			{Name: "warn", Default: "100ms", Help: "WARNING when the absolute clock offset is at least this"},
			{Name: "crit", Default: "1s", Help: "CRITICAL when the absolute clock offset is at least this (unsynchronised is always CRITICAL)"},
		},
		Default: true,
		New:     newNTPCheck,
	}
}

// ntpCheck is a configured ntp check.
type ntpCheck struct {
	name       string
	warn, crit time.Duration
}

// newNTPCheck validates params and builds an ntp check.
func newNTPCheck(name string, p Params) (Check, error) {
	if err := p.CheckKnown("warn", "crit"); err != nil {
		return nil, err
	}
	c := &ntpCheck{name: name}
	var err error
	if c.warn, err = p.Duration("warn", 100*time.Millisecond); err != nil {
		return nil, err
	}
	if c.crit, err = p.Duration("crit", time.Second); err != nil {
		return nil, err
	}
	switch {
	case c.warn <= 0:
		return nil, paramErr("warn", "must be more than 0")
	case c.crit < c.warn:
		return nil, paramErr("crit", "%s is less than warn (%s)", c.crit, c.warn)
	}
	return c, nil
}

// Name returns the configured name.
func (c *ntpCheck) Name() string { return c.name }

// Command asks chrony first; when chronyc is missing or fails, asks
// timedatectl (show, or status on systemd < 239) and timesync-status.
func (c *ntpCheck) Command() string {
	return strings.Join([]string{
		"LC_ALL=C; export LC_ALL; " + captureSetup + "; rc=1",
		"if command -v chronyc >/dev/null 2>&1; then " + captureLines("chrony", "timeout 5 chronyc -n tracking") +
			"; else " + markerLine("missing", "tool=chronyc") + "; fi",
		`if [ "$rc" != 0 ]; then if command -v timedatectl >/dev/null 2>&1; then ` +
			captureLines("timedatectl", "timeout 5 timedatectl show 2>/dev/null || timeout 5 timedatectl status") + "; " +
			captureLines("timesync", "timeout 5 timedatectl timesync-status") +
			"; else " + markerLine("missing", "tool=timedatectl") + "; fi; fi",
		markerLine(endSection),
	}, "\n")
}

// ntpState is what one source said about the clock.
type ntpState struct {
	Source    string         // "chrony", "timedatectl"
	Synced    bool           // synchronised to a time source
	Offset    *time.Duration // signed offset of the system clock, if known
	Stratum   *float64
	Reference string   // the server or reference
	Details   []string // lines for Result.Details
}

// Evaluate judges the sync state printed by Command.
func (c *ntpCheck) Evaluate(out Output) Result {
	ss, err := readSections(out)
	if err != nil {
		return unknownResult("ntp: " + err.Error())
	}
	var problems []string
	missing := map[string]bool{}
	for _, m := range ss.All("missing") {
		missing[m.Attr("tool")] = true
	}
	if _, ok := ss.Get("chrony"); ok {
		rc, stderr, _ := ss.exitStatus("chrony")
		sec, _ := ss.Get("chrony")
		if rc == 0 {
			st, err := parseChronyTracking(sec.Lines())
			if err != nil {
				return unknownResult("ntp: " + err.Error())
			}
			return c.judge(st)
		}
		problems = append(problems, fmt.Sprintf("chronyc tracking failed (exit %d: %s)", rc,
			orNone(firstLine([]byte(stderr+"\n"+sec.Body), 100))))
	}
	if _, ok := ss.Get("timedatectl"); ok {
		rc, stderr, _ := ss.exitStatus("timedatectl")
		sec, _ := ss.Get("timedatectl")
		if rc == 0 {
			st, err := parseTimedatectl(sec.Lines())
			if err != nil {
				return unknownResult("ntp: " + err.Error())
			}
			if ts, ok := ss.Get("timesync"); ok {
				if trc, _, _ := ss.exitStatus("timesync"); trc == 0 {
					addTimesyncStatus(&st, ts.Lines())
				}
			}
			st.Details = append(st.Details, problems...)
			return c.judge(st)
		}
		problems = append(problems, fmt.Sprintf("timedatectl failed (exit %d: %s)", rc,
			orNone(firstLine([]byte(stderr+"\n"+sec.Body), 100))))
	}
	if missing["chronyc"] && missing["timedatectl"] {
		res := unknownResult("ntp: chronyc and timedatectl not found")
		res.Reason = "no_ntp_client"
		return res
	}
	if len(problems) == 0 {
		return unknownResult("ntp: output lacks chronyc and timedatectl answers")
	}
	return unknownResult("ntp: " + strings.Join(problems, "; "))
}

// judge turns a source's state into a result.
func (c *ntpCheck) judge(st ntpState) Result {
	res := Result{Status: OK, Details: strings.Join(st.Details, "\n")}
	warnS, critS := c.warn.Seconds(), c.crit.Seconds()
	if st.Offset != nil {
		res.Metrics = append(res.Metrics, Metric{Name: "offset", Value: roundTo(st.Offset.Seconds(), 9), Unit: "s",
			Warn: rangeAround(warnS), Crit: rangeAround(critS)})
	}
	if st.Stratum != nil {
		res.Metrics = append(res.Metrics, Metric{Name: "stratum", Value: *st.Stratum, Min: floatPtr(0)})
	}
	from := ""
	if st.Reference != "" {
		from = " from " + st.Reference
	}
	if !st.Synced {
		res.Status, res.Reason = Critical, "unsynced"
		res.Summary = fmt.Sprintf("clock not synchronised (%s)", st.Source)
		if st.Offset != nil && *st.Offset != 0 {
			res.Summary += ", offset " + formatOffset(*st.Offset)
		}
		return res
	}
	if st.Offset == nil {
		res.Summary = fmt.Sprintf("clock synchronised%s via %s, offset unknown", from, st.Source)
		return res
	}
	abs := st.Offset.Abs()
	res.Summary = fmt.Sprintf("offset %s%s via %s", formatOffset(*st.Offset), from, st.Source)
	switch {
	case abs >= c.crit:
		res.Status, res.Reason = Critical, "clock_offset"
		res.Summary += fmt.Sprintf(", ≥ %s", c.crit)
	case abs >= c.warn:
		res.Status, res.Reason = Warning, "clock_offset"
		res.Summary += fmt.Sprintf(", ≥ %s", c.warn)
	}
	return res
}

// parseChronyTracking reads `chronyc tracking`:
//
//	Reference ID    : A9FEA9FE (169.254.169.254)
//	Stratum         : 3
//	System time     : 0.000012345 seconds fast of NTP time
//	Leap status     : Normal
func parseChronyTracking(lines []string) (ntpState, error) {
	kv := map[string]string{}
	for _, l := range lines {
		if k, v, ok := strings.Cut(l, ":"); ok {
			kv[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	leap, ok := kv["Leap status"]
	sys, ok2 := kv["System time"]
	if !ok || !ok2 {
		return ntpState{}, fmt.Errorf("unrecognised chronyc tracking output: %q", clip(oneLine(strings.Join(lines, " | ")), 80))
	}
	st := ntpState{Source: "chrony", Synced: leap != "Not synchronised"}
	f := strings.Fields(sys) // "0.000012345 seconds fast of NTP time"
	if len(f) < 3 {
		return ntpState{}, fmt.Errorf("unrecognised chronyc System time %q", clip(oneLine(sys), 60))
	}
	secs, err := strconv.ParseFloat(f[0], 64)
	if err != nil || math.IsNaN(secs) || math.IsInf(secs, 0) {
		return ntpState{}, fmt.Errorf("unrecognised chronyc System time %q", clip(oneLine(sys), 60))
	}
	switch f[2] {
	case "fast":
	case "slow":
		secs = -secs
	default:
		return ntpState{}, fmt.Errorf("unrecognised chronyc System time %q", clip(oneLine(sys), 60))
	}
	off := time.Duration(secs * float64(time.Second))
	st.Offset = &off
	if s, err := strconv.ParseFloat(kv["Stratum"], 64); err == nil {
		st.Stratum = &s
	}
	if ref := kv["Reference ID"]; ref != "" {
		// "A9FEA9FE (169.254.169.254)": the name in brackets, else the ID.
		if i, j := strings.Index(ref, "("), strings.LastIndex(ref, ")"); i >= 0 && j > i+1 {
			st.Reference = ref[i+1 : j]
		} else if id := strings.Fields(ref); len(id) > 0 && strings.Trim(id[0], "0") != "" {
			st.Reference = id[0]
		}
	}
	st.Reference = clip(oneLine(st.Reference), 60)
	for _, k := range []string{"Reference ID", "Stratum", "System time", "Last offset", "RMS offset", "Frequency", "Leap status"} {
		if v, ok := kv[k]; ok {
			st.Details = append(st.Details, "chrony "+k+": "+clip(oneLine(v), 80))
		}
	}
	return st, nil
}

// parseTimedatectl reads `timedatectl show` (NTPSynchronized=yes) or, on
// systemd < 239, `timedatectl status` ("System clock synchronized: yes",
// older "NTP synchronized: yes").
func parseTimedatectl(lines []string) (ntpState, error) {
	st := ntpState{Source: "timedatectl"}
	found := false
	ntpService := ""
	for _, l := range lines {
		if k, v, ok := strings.Cut(l, "="); ok && !strings.Contains(k, ":") {
			switch k {
			case "NTPSynchronized":
				st.Synced, found = v == "yes", true
			case "NTP":
				ntpService = v
			}
			continue
		}
		if k, v, ok := strings.Cut(l, ":"); ok {
			switch strings.TrimSpace(k) {
			case "System clock synchronized", "NTP synchronized":
				st.Synced, found = strings.TrimSpace(v) == "yes", true
			case "NTP service", "NTP enabled", "systemd-timesyncd.service active", "Network time on":
				ntpService = strings.TrimSpace(v)
			}
		}
	}
	if !found {
		return ntpState{}, fmt.Errorf("unrecognised timedatectl output: %q", clip(oneLine(strings.Join(lines, " | ")), 80))
	}
	st.Details = append(st.Details, fmt.Sprintf("timedatectl: synchronised %s", yesNo(st.Synced)))
	if ntpService != "" {
		st.Details = append(st.Details, "timedatectl: NTP service "+clip(oneLine(ntpService), 30))
	}
	return st, nil
}

// addTimesyncStatus adds the offset and server from `timedatectl
// timesync-status` (systemd-timesyncd) to st.
func addTimesyncStatus(st *ntpState, lines []string) {
	for _, l := range lines {
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch strings.TrimSpace(k) {
		case "Offset":
			if d, ok := parseSystemdTimespan(v); ok {
				st.Offset = &d
			}
		case "Server":
			st.Reference = clip(oneLine(v), 60)
		case "Stratum":
			if s, err := strconv.ParseFloat(v, 64); err == nil {
				st.Stratum = &s
			}
		default:
			continue
		}
		st.Details = append(st.Details, "timesyncd "+strings.TrimSpace(k)+": "+clip(oneLine(v), 80))
	}
	if st.Offset != nil {
		st.Source = "timesyncd"
	}
}

// parseSystemdTimespan parses systemd's signed timespans: "-1.390ms",
// "+283us", "1.5s", "1min 2.5s".
func parseSystemdTimespan(s string) (time.Duration, bool) {
	s = strings.TrimSpace(s)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimLeft(s, "+-")
	if s == "" {
		return 0, false
	}
	units := []struct {
		suffix string
		d      float64
	}{{"min", float64(time.Minute)}, {"ms", float64(time.Millisecond)}, {"us", float64(time.Microsecond)},
		{"µs", float64(time.Microsecond)}, {"ns", 1}, {"h", float64(time.Hour)}, {"s", float64(time.Second)}}
	var total float64
	for _, part := range strings.Fields(s) {
		ok := false
		for _, u := range units {
			if num, found := strings.CutSuffix(part, u.suffix); found {
				v, err := strconv.ParseFloat(num, 64)
				if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
					return 0, false
				}
				total += v * u.d
				ok = true
				break
			}
		}
		if !ok {
			return 0, false
		}
	}
	if neg {
		total = -total
	}
	return time.Duration(total), true
}

// formatOffset writes a signed offset with a sensible unit: "+1.39ms".
func formatOffset(d time.Duration) string {
	sign := "+"
	if d < 0 {
		sign = "-"
	}
	a := d.Abs()
	switch {
	case a < time.Millisecond:
		return sign + strconv.FormatFloat(float64(a)/float64(time.Microsecond), 'f', 0, 64) + "µs"
	case a < time.Second:
		return sign + strconv.FormatFloat(float64(a)/float64(time.Millisecond), 'f', 2, 64) + "ms"
	}
	return sign + strconv.FormatFloat(a.Seconds(), 'f', 3, 64) + "s"
}

// rangeAround writes the Nagios range -x:x (alert outside it).
func rangeAround(x float64) string {
	s := strconv.FormatFloat(x, 'f', -1, 64)
	return "-" + s + ":" + s
}

// roundTo rounds v to n decimal places.
func roundTo(v float64, n int) float64 {
	p := math.Pow(10, float64(n))
	return math.Round(v*p) / p
}

// yesNo writes a bool as "yes" or "no".
func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
