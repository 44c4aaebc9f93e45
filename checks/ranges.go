package checks

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Range is a Nagios threshold range as defined by the Nagios plugin
// development guidelines: it alerts when a value lies outside [Start, End]
// (both inclusive), or inside it when Inside is set ("@10:20").
type Range struct {
	Start  float64 // lower bound, math.Inf(-1) for "~"
	End    float64 // upper bound, math.Inf(1) when omitted ("10:")
	Inside bool    // alert inside the bounds instead of outside ("@")
}

// ParseRange parses a Nagios range: "10" (alert outside 0..10), "10:"
// (alert below 10), "~:10" (alert above 10), "10:20" (alert outside
// 10..20) and "@10:20" (alert inside 10..20).
func ParseRange(s string) (Range, error) {
	orig := s
	s = strings.TrimSpace(s)
	if s == "" {
		return Range{}, fmt.Errorf("bad range %q: empty", orig)
	}
	r := Range{Start: 0, End: math.Inf(1)}
	if strings.HasPrefix(s, "@") {
		r.Inside = true
		s = s[1:]
	}
	start, end, hasColon := strings.Cut(s, ":")
	if !hasColon {
		// "10": 0..10.
		v, err := parseRangeNumber(start)
		if err != nil {
			return Range{}, fmt.Errorf("bad range %q: %w", orig, err)
		}
		r.End = v
	} else {
		switch start {
		case "~":
			r.Start = math.Inf(-1)
		case "":
			// ":10" is not in the guidelines' examples but means 0..10.
		default:
			v, err := parseRangeNumber(start)
			if err != nil {
				return Range{}, fmt.Errorf("bad range %q: start: %w", orig, err)
			}
			r.Start = v
		}
		if end != "" {
			v, err := parseRangeNumber(end)
			if err != nil {
				return Range{}, fmt.Errorf("bad range %q: end: %w", orig, err)
			}
			r.End = v
		}
	}
	if r.Start > r.End {
		return Range{}, fmt.Errorf("bad range %q: start %s is greater than end %s", orig, formatNumber(r.Start), formatNumber(r.End))
	}
	return r, nil
}

// parseRangeNumber parses a plain decimal number ("-1.5", "2e3"), refusing
// the infinities, NaN, hex and digit separators strconv would accept.
func parseRangeNumber(s string) (float64, error) {
	if !isPlainNumber(s) {
		return 0, fmt.Errorf("expected a number, found %q", s)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) {
		return 0, fmt.Errorf("number %q out of range", s)
	}
	return v, nil
}

// isPlainNumber reports whether s is [+-]digits[.digits][e[+-]digits] with at
// least one digit in the mantissa.
func isPlainNumber(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			exp++
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(s)
}

// formatNumber writes v as the shortest decimal that parses back to v,
// without an exponent for everyday magnitudes.
func formatNumber(v float64) string {
	a := math.Abs(v)
	if a == 0 || (a >= 1e-4 && a < 1e21) {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// alertAtLeast writes the Nagios range that alerts exactly when a value
// measured in steps of step (0.01 for load averages, 1 for df's whole
// percentages) is at least t, as the built-in checks judge: a range
// alerts above its end, so the end is the last step below t.
func alertAtLeast(t, step float64) string {
	steps := math.Ceil(t/step - 1e-9)
	return formatNumber(roundTo((steps-1)*step, 9))
}

// levelAtLeast is the verdict of the built-ins where more is worse:
// CRITICAL at crit or more, WARNING at warn or more (alertAtLeast writes
// the same as perfdata ranges).
func levelAtLeast(v, warn, crit float64) Status {
	switch {
	case v >= crit:
		return Critical
	case v >= warn:
		return Warning
	}
	return OK
}
