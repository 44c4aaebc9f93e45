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
			"judged on the 5-minute average by default, so that a short spike does not alert (period: all judges the three, as check_load does)",
		Params: []Param{
			{Name: "warn", Default: "2", Help: "WARNING when the load per CPU is at least this"},
			{Name: "crit", Default: "4", Help: "CRITICAL when the load per CPU is at least this"},
			{Name: "period", Default: "5", Help: "which load average to judge: 1, 5 or 15 (minutes), or all (the worst of the three)"},
		},
		Default: true,
		New:     newLoadCheck,
	}
}

// loadCheck is a configured load check.
type loadCheck struct {
	name       string
	warn, crit float64
	period     int // 1, 5 or 15; 0 for all
}

// ReasonLoadHigh is the reason of a load result over its threshold.
const ReasonLoadHigh = "load_high"

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
	period, err := p.String("period", "5")
	if err != nil {
		return nil, err
	}
	switch {
	case c.warn <= 0:
		return nil, paramErr("warn", "must be more than 0")
	case c.crit < c.warn:
		return nil, paramErr("crit", "%v is less than warn (%v)", c.crit, c.warn)
	}
	switch strings.TrimSpace(period) {
	case "1":
		c.period = 1
	case "5":
		c.period = 5
	case "15":
		c.period = 15
	case "all":
		c.period = 0
	default:
		return nil, paramErr("period", "expected 1, 5, 15 or all, found %q", period)
	}
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
	// The period judged: the configured one, or with period all the one
	// whose load per CPU is worst against the thresholds (the longest on
	// a tie, as it is the least noisy).
	idx := map[int]int{1: 0, 5: 1, 15: 2}[c.period]
	if c.period == 0 {
		idx = 2
		for i := 1; i >= 0; i-- {
			if c.level(loads[i] / float64(cpus)).Worse(c.level(loads[idx] / float64(cpus))) {
				idx = i
			}
		}
	}
	judged := fmt.Sprintf("load%d", [...]int{1, 5, 15}[idx])
	perCPU := loads[idx] / float64(cpus)

	var details []string
	details = append(details, fmt.Sprintf("load average %s %s %s on %s", f[0], f[1], f[2], plural(float64(cpus), "CPU")))
	if len(f) >= 4 {
		details = append(details, "runnable/total tasks: "+clip(oneLine(f[3]), 30))
	}
	metrics := make([]Metric, 0, 5)
	for i, n := range []int{1, 5, 15} {
		m := Metric{Name: fmt.Sprintf("load%d", n), Value: loads[i], Min: floatPtr(0)}
		if n == c.period || c.period == 0 {
			// /proc/loadavg has two decimals: the verdict's "at least"
			// is written as the range it alerts above.
			m.Warn = alertAtLeast(c.warn*float64(cpus), 0.01)
			m.Crit = alertAtLeast(c.crit*float64(cpus), 0.01)
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
	if c.period == 0 {
		judged += " (worst of load1, load5, load15)"
	}
	base := fmt.Sprintf("%s per CPU %s (%s on %s)", judged, perText, f[idx], plural(float64(cpus), "CPU"))
	switch res.Status = c.level(perCPU); res.Status {
	case Critical:
		res.Summary = fmt.Sprintf("%s ≥ %v%s", base, c.crit, upText)
	case Warning:
		res.Summary = fmt.Sprintf("%s ≥ %v%s", base, c.warn, upText)
	default:
		res.Summary = base + upText
	}
	if res.Status != OK {
		res.Reason = ReasonLoadHigh
	}
	return res
}

// level judges a load per CPU.
func (c *loadCheck) level(perCPU float64) Status { return levelAtLeast(perCPU, c.warn, c.crit) }
