package checks

import (
	"fmt"
	"strings"
	"unicode"
)

// perfdataUnitList names the units of measure of the Nagios plugin guidelines.
const perfdataUnitList = "s ms us % B KB MB GB TB c"

// Perfdata is the parsed performance data of a plugin's output.
type Perfdata struct {
	Metrics []Metric // items with a measured value, in order
	Unknown []string // labels whose value was "U": the plugin could not measure it
	Errors  []error  // malformed items, skipped (or a bad threshold, dropped)
}

// ParsePerfdata parses a whitespace-separated list of Nagios perfdata items,
// 'label'=value[UOM];[warn];[crit];[min];[max]. Labels with spaces are
// single-quoted, with a quote inside written twice. Malformed items are skipped
// and listed in Errors; it never fails as a whole.
func ParsePerfdata(s string) Perfdata {
	var pd Perfdata
	n := 0
	for rest := s; ; {
		rest = strings.TrimLeft(rest, " \t\r\n\v\f")
		if rest == "" {
			return pd
		}
		n++
		var item string
		var err error
		item, rest, err = nextPerfdataItem(rest)
		if err != nil {
			pd.Errors = append(pd.Errors, fmt.Errorf("perfdata item %d %q: %w", n, clipText(item, 60), err))
			continue
		}
		pd.addItem(n, item)
	}
}

// nextPerfdataItem splits the first item off s: up to the next whitespace,
// except inside a quoted label at the start of the item. An unterminated
// quoted label ends at the next whitespace, with an error.
func nextPerfdataItem(s string) (item, rest string, err error) {
	i := 0
	if strings.HasPrefix(s, "'") {
		closed := false
		for i = 1; i < len(s); i++ {
			if s[i] != '\'' {
				continue
			}
			if i+1 < len(s) && s[i+1] == '\'' {
				i++
				continue
			}
			closed = true
			i++
			break
		}
		if !closed {
			end := strings.IndexAny(s, " \t\r\n\v\f")
			if end < 0 {
				end = len(s)
			}
			return s[:end], s[end:], fmt.Errorf("unterminated quote")
		}
	}
	for ; i < len(s); i++ {
		if isPerfdataSpace(s[i]) {
			break
		}
	}
	return s[:i], s[i:], nil
}

func isPerfdataSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'
}

// addItem parses one item and records its metric, unknown label or error.
func (pd *Perfdata) addItem(n int, item string) {
	fail := func(format string, args ...any) {
		pd.Errors = append(pd.Errors, fmt.Errorf("perfdata item %d %q: %s", n, clipText(item, 60), fmt.Sprintf(format, args...)))
	}
	label, rest, err := splitPerfdataLabel(item)
	if err != nil {
		fail("%v", err)
		return
	}
	fields := strings.Split(rest, ";")
	if len(fields) > 5 {
		fail("expected at most 5 ';'-separated fields, found %d", len(fields))
		return
	}
	for len(fields) < 5 {
		fields = append(fields, "")
	}
	if fields[0] == "U" {
		pd.Unknown = append(pd.Unknown, label)
		return
	}
	if fields[0] == "" {
		fail("missing value")
		return
	}
	num, unit := splitPerfdataUnit(fields[0])
	if num == "" {
		fail("value: expected a number, found %q", fields[0])
		return
	}
	v, err := parseRangeNumber(num)
	if err != nil {
		fail("value: %v", err)
		return
	}
	if !isPerfdataUnit(unit) && !isWrittenUnit(unit) {
		fail("bad unit %q (want one of %s, or letters such as KiB or °C)", unit, perfdataUnitList)
		return
	}
	m := Metric{Name: label, Value: v, Unit: unit}
	for i, dst := range []*string{&m.Warn, &m.Crit} {
		f := fields[1+i]
		if f == "" {
			continue
		}
		if _, err := ParseRange(f); err != nil {
			fail("%s threshold dropped: %v", [...]string{"warning", "critical"}[i], err)
			continue
		}
		*dst = f
	}
	for i, dst := range []**float64{&m.Min, &m.Max} {
		f := fields[3+i]
		if f == "" || f == "U" {
			continue
		}
		// Some plugins repeat the unit on min and max.
		if n, u := splitPerfdataUnit(f); n != "" && u != "" && (isPerfdataUnit(u) || isWrittenUnit(u)) {
			f = n
		}
		mv, err := parseRangeNumber(f)
		if err != nil {
			fail("%s dropped: %v", [...]string{"min", "max"}[i], err)
			continue
		}
		*dst = &mv
	}
	pd.Metrics = append(pd.Metrics, m)
}

// splitPerfdataLabel splits "'my label'=rest" or "label=rest".
func splitPerfdataLabel(item string) (label, rest string, err error) {
	if strings.HasPrefix(item, "'") {
		var b strings.Builder
		for i := 1; i < len(item); i++ {
			c := item[i]
			if c != '\'' {
				b.WriteByte(c)
				continue
			}
			if i+1 < len(item) && item[i+1] == '\'' {
				b.WriteByte('\'')
				i++
				continue
			}
			// Closing quote.
			after := item[i+1:]
			if !strings.HasPrefix(after, "=") {
				return "", "", fmt.Errorf("expected '=' after the quoted label")
			}
			if b.Len() == 0 {
				return "", "", fmt.Errorf("empty label")
			}
			return b.String(), after[1:], nil
		}
		return "", "", fmt.Errorf("unterminated quote")
	}
	label, rest, ok := strings.Cut(item, "=")
	if !ok {
		return "", "", fmt.Errorf("expected label=value")
	}
	if label == "" {
		return "", "", fmt.Errorf("empty label")
	}
	if strings.Contains(label, "'") {
		return "", "", fmt.Errorf("quote inside an unquoted label")
	}
	return label, rest, nil
}

// splitPerfdataUnit splits "12.5MB" into "12.5" and "MB".
func splitPerfdataUnit(s string) (num, unit string) {
	i := len(s)
	for i > 0 {
		c := s[i-1]
		if (c >= '0' && c <= '9') || c == '.' {
			break
		}
		i--
	}
	return s[:i], s[i:]
}

// isPerfdataUnit reports whether u is a Nagios unit of measure or empty.
func isPerfdataUnit(u string) bool {
	switch u {
	case "", "s", "ms", "us", "%", "B", "KB", "MB", "GB", "TB", "c":
		return true
	}
	return false
}

// isWrittenUnit reports whether u is a unit real plugins write beyond the
// guidelines' (KiB, kB, MiB, C, °C, ops, req/s...): kept as written, with
// the value as written, never converted. Letters, and %, °, µ, / and _,
// at most 16 bytes.
func isWrittenUnit(u string) bool {
	if u == "" || len(u) > 16 {
		return false
	}
	for _, r := range u {
		if !unicode.IsLetter(r) && !strings.ContainsRune("%°µ/_", r) {
			return false
		}
	}
	return true
}

// clipText shortens s to at most n bytes on a rune boundary, marking the cut.
func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
