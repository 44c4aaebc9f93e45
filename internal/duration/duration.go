// Package duration parses the durations written in fleetcheck's files:
// Go's units plus days and weeks, as SREs write them ("90s", "1h30m",
// "7d", "2w", "1d12h").
package duration

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// Day and Week are the units Go's time package lacks.
const (
	Day  = 24 * time.Hour
	Week = 7 * Day
)

// units maps each unit suffix to its length.
var units = map[string]time.Duration{
	"ns": time.Nanosecond,
	"us": time.Microsecond,
	"µs": time.Microsecond, // U+00B5
	"μs": time.Microsecond, // U+03BC
	"ms": time.Millisecond,
	"s":  time.Second,
	"m":  time.Minute,
	"h":  time.Hour,
	"d":  Day,
	"w":  Week,
}

// unitList names the units in messages.
const unitList = "ns, us, ms, s, m, h, d or w"

// errSyntax is the message for text that is not numbers with units.
var errSyntax = errors.New("expected a number and a unit such as 90s, 15m, 1h or 7d")

// Parse reads a non-negative duration: one or more numbers (decimals
// allowed) each followed by a unit (ns, us, ms, s, m, h, d, w), in any
// order, such as "90s", "1.5h", "1w2d" or "1d12h"; "0" alone is zero.
// Surrounding blanks are ignored. Errors name the text.
func Parse(s string) (time.Duration, error) {
	d, err := parse(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("bad duration %q: %w", s, err)
	}
	return d, nil
}

// parse is Parse on trimmed text, with errors that do not repeat it.
func parse(s string) (time.Duration, error) {
	if s == "0" {
		return 0, nil
	}
	if s == "" {
		return 0, errSyntax
	}
	var total float64
	var exact time.Duration
	for rest := s; rest != ""; {
		i := 0
		for i < len(rest) && (rest[i] >= '0' && rest[i] <= '9' || rest[i] == '.') {
			i++
		}
		num := rest[:i]
		if num == "" || num == "." || strings.Count(num, ".") > 1 {
			return 0, errSyntax
		}
		j := i
		for j < len(rest) && (rest[j] < '0' || rest[j] > '9') && rest[j] != '.' {
			j++
		}
		unitText := rest[i:j]
		if unitText == "" {
			return 0, fmt.Errorf("expected a unit after %s (%s)", num, unitList)
		}
		unit, ok := units[unitText]
		if !ok {
			return 0, fmt.Errorf("unknown unit %q; expected %s", unitText, unitList)
		}
		d, err := scale(num, unit)
		if err != nil {
			return 0, err
		}
		total += float64(d)
		if total > math.MaxInt64 {
			return 0, errors.New("too large")
		}
		exact += d
		rest = rest[j:]
	}
	return exact, nil
}

// scale returns the decimal num times unit, exactly for whole numbers
// and to the nanosecond for fractions.
func scale(num string, unit time.Duration) (time.Duration, error) {
	whole, frac, _ := strings.Cut(num, ".")
	var w int64
	for _, c := range whole {
		if w > (math.MaxInt64-9)/10 {
			return 0, errors.New("too large")
		}
		w = w*10 + int64(c-'0')
	}
	if w > math.MaxInt64/int64(unit) {
		return 0, errors.New("too large")
	}
	d := time.Duration(w) * unit
	f, div := 0.0, 1.0
	for _, c := range frac {
		if div > 1e18 {
			break // beyond a nanosecond of any unit
		}
		f = f*10 + float64(c-'0')
		div *= 10
	}
	if f > 0 {
		extra := time.Duration(f / div * float64(unit))
		if d > math.MaxInt64-extra {
			return 0, errors.New("too large")
		}
		d += extra
	}
	return d, nil
}
