package checks

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// loadBuiltin is the load-per-CPU check.
func loadBuiltin() Builtin {
	return Builtin{
		Name: "load",
		Help: "load average per online CPU (/proc/loadavg, getconf _NPROCESSORS_ONLN) and uptime; " +
			"judged on the 5-minute average by default, so that a short spike does not alert",
		Params: []Param{
			{Name: "warn", Default: "2", Help: "WARNING when the load per CPU is at least this"},
			{Name: "crit", Default: "4", Help: "CRITICAL when the load per CPU is at least this"},
			{Name: "period", Default: "5", Help: "which load average to judge: 1, 5 or 15 (minutes)"},
		},
		Default: true,
		New:     newLoadCheck,
	}
}

// loadCheck is a configured load check.
type loadCheck struct {
	name       string
	warn, crit float64
	period     int // 1, 5 or 15
}

// newLoadCheck validates params and builds a load check.
func newLoadCheck(name string, p Params) (Check, error) {
	if err := p.CheckKnown("warn", "crit", "period"); err != nil {
		return nil, err
	}
	c := &loadCheck{name: name}
	var err error
	if c.warn, err = p.Float("warn", 2); err != nil {
		return nil, err
	}
	if c.crit, err = p.Float("crit", 4); err != nil {
		return nil, err
	}
	period, err := p.Float("period", 5)
	if err != nil {
		return nil, err
	}
	switch {
	case c.warn <= 0:
		return nil, paramErr("warn", "must be more than 0")
	case c.crit < c.warn:
		return nil, paramErr("crit", "%v is less than warn (%v)", c.crit, c.warn)
	case period != 1 && period != 5 && period != 15:
		return nil, paramErr("period", "want 1, 5 or 15, got %v", period)
	}
	c.period = int(period)
	return c, nil
}

// Name returns the configured name.
func (c *loadCheck) Name() string { return c.name }

// Command prints /proc/loadavg, the number of online CPUs and /proc/uptime.
func (c *loadCheck) Command() string {
	return strings.Join([]string{
		"LC_ALL=C; export LC_ALL",
		markerLine("loadavg") + "; cat /proc/loadavg",
		markerLine("cpus") + "; getconf _NPROCESSORS_ONLN 2>/dev/null || nproc --all 2>/dev/null || grep -c '^processor' /proc/cpuinfo",
		markerLine("uptime") + "; cat /proc/uptime",
		markerLine(endSection),
	}, "\n")
}

// Evaluate judges the load printed by Command.
func (c *loadCheck) Evaluate(out Output) Result {
	ss, err := readSections(out)
	if err != nil {
		return unknownResult("load: " + err.Error())
	}
	la, ok := ss.Get("loadavg")
	lines := la.Lines()
	if !ok || len(lines) == 0 {
		return unknownResult("load: /proc/loadavg gave nothing" + exitNote(out))
	}
	f := strings.Fields(lines[0]) // "0.52 0.58 0.59 2/1234 56789"
	if len(f) < 3 {
		return unknownResult(fmt.Sprintf("load: unrecognised /proc/loadavg: %q", clip(oneLine(lines[0]), 60)))
	}
	var loads [3]float64
	for i := range loads {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil || v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return unknownResult(fmt.Sprintf("load: unrecognised /proc/loadavg: %q", clip(oneLine(lines[0]), 60)))
		}
		loads[i] = v
	}
	cpus := 0
	if cs, ok := ss.Get("cpus"); ok {
		if l := cs.Lines(); len(l) > 0 {
			if n, err := strconv.Atoi(strings.TrimSpace(l[0])); err == nil && n > 0 {
				cpus = n
			}
		}
	}
	if cpus == 0 {
		return unknownResult("load: number of CPUs unknown (getconf, nproc and /proc/cpuinfo gave nothing)")
	}
	idx := map[int]int{1: 0, 5: 1, 15: 2}[c.period]
	judged := fmt.Sprintf("load%d", c.period)
	perCPU := loads[idx] / float64(cpus)

	var details []string
	details = append(details, fmt.Sprintf("load average %s %s %s on %s", f[0], f[1], f[2], plural(float64(cpus), "CPU")))
	if len(f) >= 4 {
		details = append(details, "runnable/total tasks: "+clip(oneLine(f[3]), 30))
	}
	metrics := make([]Metric, 0, 5)
	for i, n := range []int{1, 5, 15} {
		m := Metric{Name: fmt.Sprintf("load%d", n), Value: loads[i], Min: floatPtr(0)}
		if n == c.period {
			m.Warn = strconv.FormatFloat(c.warn*float64(cpus), 'f', -1, 64)
			m.Crit = strconv.FormatFloat(c.crit*float64(cpus), 'f', -1, 64)
		}
		metrics = append(metrics, m)
	}
	metrics = append(metrics, Metric{Name: "cpus", Value: float64(cpus), Min: floatPtr(0)})
	upText := ""
	if us, ok := ss.Get("uptime"); ok && len(us.Lines()) > 0 {
		if uf := strings.Fields(us.Lines()[0]); len(uf) > 0 {
			if up, err := strconv.ParseFloat(uf[0], 64); err == nil && up >= 0 && up < 1e10 {
				metrics = append(metrics, Metric{Name: "uptime", Value: math.Floor(up), Unit: "s", Min: floatPtr(0)})
				upText = ", up " + humanDuration(time.Duration(up)*time.Second)
			}
		}
	}
	if upText == "" {
		details = append(details, "uptime unknown")
	}

	res := Result{Status: OK, Details: strings.Join(details, "\n"), Metrics: metrics}
	perText := strconv.FormatFloat(roundTo(perCPU, 2), 'f', -1, 64)
	base := fmt.Sprintf("%s per CPU %s (%s on %s)", judged, perText, f[idx], plural(float64(cpus), "CPU"))
	switch {
	case perCPU >= c.crit:
		res.Status = Critical
		res.Summary = fmt.Sprintf("%s ≥ %v%s", base, c.crit, upText)
	case perCPU >= c.warn:
		res.Status = Warning
		res.Summary = fmt.Sprintf("%s ≥ %v%s", base, c.warn, upText)
	default:
		res.Summary = base + upText
	}
	return res
}
