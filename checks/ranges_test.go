package checks

import (
	"math"
	"strings"
	"testing"
)

var (
	negInf = math.Inf(-1)
	posInf = math.Inf(1)
)

func TestParseRange(t *testing.T) {
	tests := []struct {
		in   string
		want Range
		str  string // canonical String()
	}{
		{"10", Range{0, 10, false}, "10"},
		{"10:", Range{10, posInf, false}, "10:"},
		{"~:10", Range{negInf, 10, false}, "~:10"},
		{"10:20", Range{10, 20, false}, "10:20"},
		{"@10:20", Range{10, 20, true}, "@10:20"},
		{"@10", Range{0, 10, true}, "@10"},
		{"~:", Range{negInf, posInf, false}, "~:"},
		{"0:", Range{0, posInf, false}, "0:"},
		{":10", Range{0, 10, false}, "10"},
		{"-5:-1", Range{-5, -1, false}, "-5:-1"},
		{"1.5:2.25", Range{1.5, 2.25, false}, "1.5:2.25"},
		{" 10 ", Range{0, 10, false}, "10"},
		{"5:5", Range{5, 5, false}, "5:5"},
		{"1e3", Range{0, 1000, false}, "1000"},
		{"+3", Range{0, 3, false}, "3"},
		{"@~:0", Range{negInf, 0, true}, "@~:0"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseRange(tt.in)
			if err != nil {
				t.Fatalf("ParseRange(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParseRange(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
			if s := got.String(); s != tt.str {
				t.Errorf("String() = %q, want %q", s, tt.str)
			}
		})
	}
}

func TestParseRangeErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", `bad range "": empty`},
		{"   ", `bad range "   ": empty`},
		{"@", `bad range "@": expected a number, found ""`},
		{"~", `bad range "~": expected a number, found "~"`},
		{"20:10", `bad range "20:10": start 20 is greater than end 10`},
		{"10:~", `bad range "10:~": end: expected a number, found "~"`},
		{"abc", `bad range "abc": expected a number, found "abc"`},
		{"1:2:3", `bad range "1:2:3": end: expected a number, found "2:3"`},
		{"inf", `bad range "inf": expected a number, found "inf"`},
		{"NaN:", `bad range "NaN:": start: expected a number, found "NaN"`},
		{"0x10", `bad range "0x10": expected a number, found "0x10"`},
		{"1e999", `bad range "1e999": number "1e999" out of range`},
		{"@@1", `bad range "@@1": expected a number, found "@1"`},
		{"1_000", `bad range "1_000": expected a number, found "1_000"`},
		{"10 :20", `bad range "10 :20": start: expected a number, found "10 "`},
	}
	for _, tt := range tests {
		_, err := ParseRange(tt.in)
		if err == nil {
			t.Errorf("ParseRange(%q): no error, want %q", tt.in, tt.want)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("ParseRange(%q) error = %q, want %q", tt.in, err, tt.want)
		}
	}
}

func TestRangeAlert(t *testing.T) {
	// The examples of the Nagios plugin development guidelines.
	tests := []struct {
		rng   string
		alert []float64
		quiet []float64
	}{
		{"10", []float64{-1, -0.001, 10.001, 11, 1e9}, []float64{0, 5, 10}},
		{"10:", []float64{-1, 0, 9.99}, []float64{10, 11, 1e12}},
		{"~:10", []float64{10.5, 11, 1e9}, []float64{-1e9, 0, 10}},
		{"10:20", []float64{-5, 9, 20.5}, []float64{10, 15, 20}},
		{"@10:20", []float64{10, 15, 20}, []float64{9.99, 20.01, -1}},
		{"~:", nil, []float64{-1e300, 0, 1e300}},
	}
	for _, tt := range tests {
		r := MustParseRange(tt.rng)
		for _, v := range tt.alert {
			if !r.Alert(v) {
				t.Errorf("%s: Alert(%v) = false, want true", tt.rng, v)
			}
		}
		for _, v := range tt.quiet {
			if r.Alert(v) {
				t.Errorf("%s: Alert(%v) = true, want false", tt.rng, v)
			}
		}
		if !r.Alert(math.NaN()) {
			t.Errorf("%s: Alert(NaN) = false, want true", tt.rng)
		}
	}
}

// FuzzParseRange checks that ParseRange never panics, that what it accepts
// is a well-formed range, and that String round-trips.
func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"10", "10:", "~:10", "10:20", "@10:20", "@~:", "-1e3:2.5", "", "@", ":", "20:10"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRange(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "bad range ") {
				t.Errorf("ParseRange(%q) error %q lacks the bad-range prefix", s, err)
			}
			return
		}
		if math.IsNaN(r.Start) || math.IsNaN(r.End) || r.Start > r.End || math.IsInf(r.Start, 1) || math.IsInf(r.End, -1) {
			t.Fatalf("ParseRange(%q) = %+v: not a well-formed range", s, r)
		}
		str := r.String()
		back, err := ParseRange(str)
		if err != nil {
			t.Fatalf("ParseRange(%q).String() = %q does not parse: %v", s, str, err)
		}
		if back != r {
			t.Fatalf("round trip of %q: %q parsed to %+v, want %+v", s, str, back, r)
		}
		if back.String() != str {
			t.Fatalf("String not canonical for %q: %q then %q", s, str, back.String())
		}
		// Alert agrees with the definition at the bounds.
		if r.Alert(r.Start) == !r.Inside && !math.IsInf(r.Start, 0) {
			t.Fatalf("%q: Alert(start %v) = %v with Inside %v", s, r.Start, r.Alert(r.Start), r.Inside)
		}
	})
}

func BenchmarkParseRange(b *testing.B) {
	for b.Loop() {
		if _, err := ParseRange("@-10.5:20"); err != nil {
			b.Fatal(err)
		}
	}
}

func TestAlertAtLeast(t *testing.T) {
	for _, tc := range []struct {
		t, step float64
		want    string
	}{{85, 1, "84"}, {85.5, 1, "85"}, {100, 1, "99"}, {8, 0.01, "7.99"}, {8.005, 0.01, "8"}, {2.3 * 3, 0.01, "6.89"}} {
		got := alertAtLeast(tc.t, tc.step)
		if got != tc.want {
			t.Errorf("alertAtLeast(%v, %v) = %q, want %q", tc.t, tc.step, got, tc.want)
		}
		r, err := ParseRange(got)
		if err != nil {
			t.Fatal(err)
		}
		// Every step value alerts exactly when it is at least t.
		for i := 0.0; i <= 2*tc.t/tc.step; i++ {
			v := roundTo(i*tc.step, 9)
			if r.Alert(v) != (v >= tc.t) {
				t.Errorf("range %s at %v alerts %v, verdict %v", got, v, r.Alert(v), v >= tc.t)
				break
			}
		}
	}
}

// MustParseRange is ParseRange for constants known to be valid; it panics
// on a bad range.
func MustParseRange(s string) Range {
	r, err := ParseRange(s)
	if err != nil {
		panic(err)
	}
	return r
}

// Alert reports whether v triggers the range: outside it, or inside it for
// an "@" range. NaN always alerts.
func (r Range) Alert(v float64) bool {
	if math.IsNaN(v) {
		return true
	}
	in := v >= r.Start && v <= r.End
	if r.Inside {
		return in
	}
	return !in
}

// String returns the range in canonical Nagios syntax; ParseRange of it
// gives r back.
func (r Range) String() string {
	var b strings.Builder
	if r.Inside {
		b.WriteByte('@')
	}
	switch {
	case math.IsInf(r.Start, -1):
		b.WriteString("~:")
	case r.Start != 0 || math.Signbit(r.Start) || math.IsInf(r.End, 1):
		b.WriteString(formatNumber(r.Start))
		b.WriteByte(':')
	}
	if !math.IsInf(r.End, 1) {
		b.WriteString(formatNumber(r.End))
	}
	return b.String()
}
