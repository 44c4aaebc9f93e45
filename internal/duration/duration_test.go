package duration

import (
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	good := map[string]time.Duration{
		"0":        0,
		"0s":       0,
		"90s":      90 * time.Second,
		"15m":      15 * time.Minute,
		"1h30m":    90 * time.Minute,
		"1.5h":     90 * time.Minute,
		".5s":      500 * time.Millisecond,
		"250ms":    250 * time.Millisecond,
		"10us":     10 * time.Microsecond,
		"10µs":     10 * time.Microsecond,
		"3ns":      3,
		"7d":       7 * Day,
		"2w":       2 * Week,
		"1w2d":     9 * Day,
		"2d1w":     9 * Day,
		"1d12h":    36 * time.Hour,
		"1.5w":     252 * time.Hour,
		" 4h ":     4 * time.Hour,
		"1h0.5m1s": time.Hour + 31*time.Second,
	}
	for in, want := range good {
		got, err := Parse(in)
		if err != nil || got != want {
			t.Errorf("Parse(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	bad := map[string]string{
		"":                       `bad duration "": expected a number and a unit such as 90s, 15m, 1h or 7d`,
		"soon":                   `bad duration "soon": expected a number and a unit such as 90s, 15m, 1h or 7d`,
		"h":                      `bad duration "h": expected a number and a unit such as 90s, 15m, 1h or 7d`,
		"-3d":                    `bad duration "-3d": expected a number and a unit such as 90s, 15m, 1h or 7d`,
		"+3d":                    `bad duration "+3d": expected a number and a unit such as 90s, 15m, 1h or 7d`,
		"1..5h":                  `bad duration "1..5h": expected a number and a unit such as 90s, 15m, 1h or 7d`,
		".h":                     `bad duration ".h": expected a number and a unit such as 90s, 15m, 1h or 7d`,
		"4":                      `bad duration "4": expected a unit after 4 (ns, us, ms, s, m, h, d or w)`,
		"1h30":                   `bad duration "1h30": expected a unit after 30 (ns, us, ms, s, m, h, d or w)`,
		"4hours":                 `bad duration "4hours": unknown unit "hours"; expected ns, us, ms, s, m, h, d or w`,
		"4 h":                    `bad duration "4 h": unknown unit " h"; expected ns, us, ms, s, m, h, d or w`,
		"1y":                     `bad duration "1y": unknown unit "y"; expected ns, us, ms, s, m, h, d or w`,
		"100000w":                `bad duration "100000w": too large`,
		"99999999999999999999ns": `bad duration "99999999999999999999ns": too large`,
		"15000w15000w":           `bad duration "15000w15000w": too large`,
	}
	for in, want := range bad {
		_, err := Parse(in)
		if err == nil || err.Error() != want {
			t.Errorf("Parse(%q) error = %v\nwant %s", in, err, want)
		}
	}
}

// TestParseAgreesWithGo: where Go's time.ParseDuration accepts a
// non-negative duration, Parse gives the same value.
func TestParseAgreesWithGo(t *testing.T) {
	for _, in := range []string{"1h", "1h2m3s", "1.25s", "300ms", "2h45m", "0.1s", "1m0.001s", "5us"} {
		want, err := time.ParseDuration(in)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := Parse(in); err != nil || got != want {
			t.Errorf("Parse(%q) = %v, %v; time.ParseDuration gives %v", in, got, err, want)
		}
	}
}

// FuzzParse: no input panics, and a value is never negative.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"1d12h", "90s", "1.5w", "4hours", "99999999999w"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if d, err := Parse(s); err == nil && d < 0 {
			t.Fatalf("Parse(%q) = %v < 0", s, d)
		}
	})
}
