package ownership

import (
	"fmt"
	"strconv"
	"time"
)

// durationUnits are the units an owners file may use, Go's plus days and weeks.
var durationUnits = map[string]time.Duration{
	"s": time.Second,
	"m": time.Minute,
	"h": time.Hour,
	"d": 24 * time.Hour,
	"w": 7 * 24 * time.Hour,
}

// parseDuration parses a positive duration such as "4h", "3d" or "1d12h".
func parseDuration(s string) (time.Duration, error) {
	if s == "" {
		return 0, fmt.Errorf("empty duration")
	}
	var total time.Duration
	rest := s
	for rest != "" {
		i := 0
		for i < len(rest) && (rest[i] >= '0' && rest[i] <= '9' || rest[i] == '.') {
			i++
		}
		if i == 0 {
			return 0, fmt.Errorf("%q: want a number then a unit (s, m, h, d, w), e.g. 4h or 3d", s)
		}
		num, err := strconv.ParseFloat(rest[:i], 64)
		if err != nil {
			return 0, fmt.Errorf("%q: bad number %q", s, rest[:i])
		}
		j := i
		for j < len(rest) && (rest[j] < '0' || rest[j] > '9') && rest[j] != '.' {
			j++
		}
		unit, ok := durationUnits[rest[i:j]]
		if !ok {
			return 0, fmt.Errorf("%q: unknown unit %q, want s, m, h, d or w", s, rest[i:j])
		}
		total += time.Duration(num * float64(unit))
		rest = rest[j:]
	}
	if total <= 0 {
		return 0, fmt.Errorf("%q: must be positive", s)
	}
	return total, nil
}
