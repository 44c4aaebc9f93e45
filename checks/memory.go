package checks

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// memoryBuiltin is the available-memory check.
func memoryBuiltin() Builtin {
	return Builtin{
		Name: "memory",
		Help: "available memory as % of total from /proc/meminfo (MemAvailable; MemFree+Buffers+Cached " +
			"on kernels before 3.14), swap use reported as a metric",
		Params: []Param{
			{Name: "warn", Default: "10", Help: "WARNING when available memory is below this % of total"},
			{Name: "crit", Default: "5", Help: "CRITICAL when available memory is below this % of total"},
		},
		Default: true,
		New:     newMemoryCheck,
	}
}

// memoryCheck is a configured memory check.
type memoryCheck struct {
	name       string
	warn, crit float64 // percent available; less is worse
}

// newMemoryCheck validates params and builds a memory check.
func newMemoryCheck(name string, p Params) (Check, error) {
	if err := p.CheckKnown("warn", "crit"); err != nil {
		return nil, err
	}
	c := &memoryCheck{name: name}
	var err error
	if c.warn, err = p.Float("warn", 10); err != nil {
		return nil, err
	}
	if c.crit, err = p.Float("crit", 5); err != nil {
		return nil, err
	}
	switch {
	case c.warn <= 0 || c.warn > 100:
		return nil, paramErr("warn", "expected a percentage in (0, 100], found %s", formatNumber(c.warn))
	case c.crit <= 0 || c.crit > 100:
		return nil, paramErr("crit", "expected a percentage in (0, 100], found %s", formatNumber(c.crit))
	case c.crit > c.warn:
		return nil, paramErr("crit", "%v is more than warn (%v): less available memory is worse", c.crit, c.warn)
	}
	return c, nil
}

// Name returns the configured name.
func (c *memoryCheck) Name() string { return c.name }

// meminfoKeys are the /proc/meminfo lines the check reads; the command
// prints only these, with shell builtins, to keep the output small.
var meminfoKeys = []string{"MemTotal", "MemFree", "MemAvailable", "Buffers", "Cached", "SwapTotal", "SwapFree"}

// Command prints the meminfoKeys lines of /proc/meminfo.
func (c *memoryCheck) Command() string {
	return strings.Join([]string{
		"LC_ALL=C; export LC_ALL",
		markerLine("meminfo") + "; while IFS=: read -r k v; do case $k in " + strings.Join(meminfoKeys, "|") +
			`) echo "$k:$v";; esac; done < /proc/meminfo`,
		markerLine(endSection),
	}, "\n")
}

// parseMeminfo reads "MemTotal:       16318480 kB" lines into bytes.
func parseMeminfo(lines []string) map[string]float64 {
	m := map[string]float64{}
	for _, l := range lines {
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			continue
		}
		n, err := strconv.ParseUint(f[0], 10, 64)
		if err != nil {
			continue
		}
		mult := 1.0
		if len(f) > 1 && f[1] == "kB" {
			mult = 1024
		}
		m[strings.TrimSpace(k)] = float64(n) * mult
	}
	return m
}

// Evaluate judges the memory printed by Command.
func (c *memoryCheck) Evaluate(out Output) Result {
	ss, err := readSections(out)
	if err != nil {
		return unknownResult("memory: " + err.Error())
	}
	sec, ok := ss.Get("meminfo")
	if !ok {
		return unknownResult("memory: no /proc/meminfo in the output")
	}
	if len(sec.Lines()) == 0 {
		return unknownResult("memory: /proc/meminfo gave nothing" + exitNote(out))
	}
	m := parseMeminfo(sec.Lines())
	total, ok := m["MemTotal"]
	if !ok || total <= 0 {
		return unknownResult(fmt.Sprintf("memory: unrecognised /proc/meminfo (no MemTotal): %q", clip(oneLine(firstLine([]byte(sec.Body), 60)), 60)))
	}
	var details []string
	avail, ok := m["MemAvailable"]
	if !ok {
		free, okF := m["MemFree"]
		if !okF {
			return unknownResult("memory: unrecognised /proc/meminfo (no MemAvailable or MemFree)")
		}
		avail = free + m["Buffers"] + m["Cached"]
		details = append(details, "no MemAvailable (kernel before 3.14): available estimated as MemFree+Buffers+Cached")
	}
	avail = math.Min(avail, total)
	pct := roundTo(avail*100/total, 1)
	details = append(details, fmt.Sprintf("memory: %s available of %s (%s%%)", formatBytes(avail), formatBytes(total), formatPercent(pct)))

	warnText := strconv.FormatFloat(c.warn, 'f', -1, 64) + ":"
	critText := strconv.FormatFloat(c.crit, 'f', -1, 64) + ":"
	metrics := []Metric{
		{Name: "available", Value: pct, Unit: "%", Warn: warnText, Crit: critText, Min: floatPtr(0), Max: floatPtr(100)},
		{Name: "available_bytes", Value: avail, Unit: "B", Min: floatPtr(0), Max: floatPtr(total)},
	}
	swapText := ""
	if swapTotal, ok := m["SwapTotal"]; ok {
		swapUsed := math.Max(0, swapTotal-m["SwapFree"])
		metrics = append(metrics, Metric{Name: "swap_used", Value: swapUsed, Unit: "B", Min: floatPtr(0), Max: floatPtr(swapTotal)})
		if swapTotal > 0 {
			sp := roundTo(swapUsed*100/swapTotal, 1)
			swapText = fmt.Sprintf(", swap %s%% used", formatPercent(sp))
			details = append(details, fmt.Sprintf("swap: %s used of %s (%s%%)", formatBytes(swapUsed), formatBytes(swapTotal), formatPercent(sp)))
		} else {
			details = append(details, "swap: none")
		}
	}
	res := Result{Status: OK, Details: strings.Join(details, "\n"), Metrics: metrics}
	res.Summary = fmt.Sprintf("%s%% memory available (%s of %s)%s", formatPercent(pct), formatBytes(avail), formatBytes(total), swapText)
	switch {
	case pct < c.crit:
		res.Status, res.Reason = Critical, "memory_low"
		res.Summary += fmt.Sprintf("; below %v%%", c.crit)
	case pct < c.warn:
		res.Status, res.Reason = Warning, "memory_low"
		res.Summary += fmt.Sprintf("; below %v%%", c.warn)
	}
	return res
}

// formatBytes writes a byte count with a binary unit: "15.6 GiB".
func formatBytes(b float64) string {
	return formatKiB(int64(b / 1024))
}
