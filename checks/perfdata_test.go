package checks

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
)

func fp(v float64) *float64 { return &v }

func TestParsePerfdata(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		metrics []Metric
		unknown []string
		errs    []string
	}{
		{
			name:    "check_disk",
			in:      "/=2643MB;5948;5958;0;5968",
			metrics: []Metric{{Name: "/", Value: 2643, Unit: "MB", Warn: "5948", Crit: "5958", Min: fp(0), Max: fp(5968)}},
		},
		{
			name: "several with every unit",
			in:   "time=0.5s a=1ms b=2us c=3% d=4B e=5KB f=6MB g=7GB h=8TB i=9c j=10",
			metrics: []Metric{
				{Name: "time", Value: 0.5, Unit: "s"}, {Name: "a", Value: 1, Unit: "ms"}, {Name: "b", Value: 2, Unit: "us"},
				{Name: "c", Value: 3, Unit: "%"}, {Name: "d", Value: 4, Unit: "B"}, {Name: "e", Value: 5, Unit: "KB"},
				{Name: "f", Value: 6, Unit: "MB"}, {Name: "g", Value: 7, Unit: "GB"}, {Name: "h", Value: 8, Unit: "TB"},
				{Name: "i", Value: 9, Unit: "c"}, {Name: "j", Value: 10},
			},
		},
		{
			name:    "quoted label with spaces and an escaped quote",
			in:      "'in use'=12;;;0 'bob''s disk'=-3.5",
			metrics: []Metric{{Name: "in use", Value: 12, Min: fp(0)}, {Name: "bob's disk", Value: -3.5}},
		},
		{
			name:    "ranges as thresholds",
			in:      "load=1.2;~:4;@10:20;; procs=3;1:;5:",
			metrics: []Metric{{Name: "load", Value: 1.2, Warn: "~:4", Crit: "@10:20"}, {Name: "procs", Value: 3, Warn: "1:", Crit: "5:"}},
		},
		{
			name:    "unknown value",
			in:      "rta=U;100;200 pl=0%",
			metrics: []Metric{{Name: "pl", Value: 0, Unit: "%"}},
			unknown: []string{"rta"},
		},
		{
			name:    "tabs, newlines and repeated spaces",
			in:      "  a=1\t\tb=2\n\nc=3  ",
			metrics: []Metric{{Name: "a", Value: 1}, {Name: "b", Value: 2}, {Name: "c", Value: 3}},
		},
		{
			// Units real plugins write beyond the guidelines' (issue 18:
			// they were dropped as unknown) are kept as written.
			name: "units real plugins write",
			in:   "used=1500KiB;;;0;2048KiB rx=12kB temp=41.5°C cpu=38C ops=120ops 'req rate'=3.5req/s mem=12MiB z=5furlongs",
			metrics: []Metric{
				{Name: "used", Value: 1500, Unit: "KiB", Min: fp(0), Max: fp(2048)},
				{Name: "rx", Value: 12, Unit: "kB"}, {Name: "temp", Value: 41.5, Unit: "°C"},
				{Name: "cpu", Value: 38, Unit: "C"}, {Name: "ops", Value: 120, Unit: "ops"},
				{Name: "req rate", Value: 3.5, Unit: "req/s"}, {Name: "mem", Value: 12, Unit: "MiB"},
				{Name: "z", Value: 5, Unit: "furlongs"},
			},
		},
		{
			name:    "unit on min and max",
			in:      "mem=50MB;;;0MB;100MB",
			metrics: []Metric{{Name: "mem", Value: 50, Unit: "MB", Min: fp(0), Max: fp(100)}},
		},
		{
			name:    "malformed items are skipped",
			in:      "ok=1 noequals =5 x= y=abc z=5fur$longs w=1;2;3;4;5;6 'open=1 v=2",
			metrics: []Metric{{Name: "ok", Value: 1}, {Name: "v", Value: 2}},
			errs: []string{
				`perfdata item 2 "noequals": expected label=value`,
				`perfdata item 3 "=5": empty label`,
				`perfdata item 4 "x=": missing value`,
				`perfdata item 5 "y=abc": value: expected a number, found "abc"`,
				`perfdata item 6 "z=5fur$longs": bad unit "fur$longs" (want one of s ms us % B KB MB GB TB c, or letters such as KiB or °C)`,
				`perfdata item 7 "w=1;2;3;4;5;6": expected at most 5 ';'-separated fields, found 6`,
				`perfdata item 8 "'open=1": unterminated quote`,
			},
		},
		{
			name:    "bad threshold dropped, metric kept",
			in:      "a=1;20:10;5",
			metrics: []Metric{{Name: "a", Value: 1, Crit: "5"}},
			errs:    []string{`perfdata item 1 "a=1;20:10;5": warning threshold dropped: bad range "20:10": start 20 is greater than end 10`},
		},
		{
			name:    "bad min dropped",
			in:      "a=1;;;x;9",
			metrics: []Metric{{Name: "a", Value: 1, Max: fp(9)}},
			errs:    []string{`perfdata item 1 "a=1;;;x;9": min dropped: expected a number, found "x"`},
		},
		{
			name: "quoted label errors",
			in:   "''=1 'a'b=2 'a'",
			errs: []string{
				`perfdata item 1 "''=1": empty label`,
				`perfdata item 2 "'a'b=2": expected '=' after the quoted label`,
				`perfdata item 3 "'a'": expected '=' after the quoted label`,
			},
		},
		{
			name: "quote inside unquoted label",
			in:   "it's=1",
			errs: []string{`perfdata item 1 "it's=1": quote inside an unquoted label`},
		},
		{
			name: "NaN and infinities are not numbers",
			in:   "a=NaN b=Inf c=1e999",
			errs: []string{
				`perfdata item 1 "a=NaN": value: expected a number, found "NaN"`,
				`perfdata item 2 "b=Inf": value: expected a number, found "Inf"`,
				`perfdata item 3 "c=1e999": value: number "1e999" out of range`,
			},
		},
		{name: "empty", in: ""},
		{name: "blank", in: " \t\n "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pd := ParsePerfdata(tt.in)
			if !reflect.DeepEqual(pd.Metrics, tt.metrics) {
				t.Errorf("metrics:\n got %s\nwant %s", dumpMetrics(pd.Metrics), dumpMetrics(tt.metrics))
			}
			if !reflect.DeepEqual(pd.Unknown, tt.unknown) {
				t.Errorf("unknown = %q, want %q", pd.Unknown, tt.unknown)
			}
			var errs []string
			for _, e := range pd.Errors {
				errs = append(errs, e.Error())
			}
			if !reflect.DeepEqual(errs, tt.errs) {
				t.Errorf("errors:\n got %q\nwant %q", errs, tt.errs)
			}
		})
	}
}

func dumpMetrics(ms []Metric) string {
	var parts []string
	for _, m := range ms {
		parts = append(parts, fmt.Sprintf("%q", FormatMetric(m)))
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func TestFormatMetric(t *testing.T) {
	tests := []struct {
		m    Metric
		want string
	}{
		{Metric{Name: "a", Value: 1}, "a=1"},
		{Metric{Name: "in use", Value: 0.25, Unit: "%", Warn: "80", Crit: "90"}, "'in use'=0.25%;80;90"},
		{Metric{Name: "bob's", Value: -2, Max: fp(10)}, "'bob''s'=-2;;;;10"},
		{Metric{Name: "a=b", Value: 1e-7, Min: fp(0)}, "'a=b'=1e-07;;;0"},
		{Metric{Name: "big", Value: 123456789012}, "big=123456789012"},
	}
	for _, tt := range tests {
		if got := FormatMetric(tt.m); got != tt.want {
			t.Errorf("FormatMetric(%+v) = %q, want %q", tt.m, got, tt.want)
		}
		back := ParsePerfdata(tt.want)
		if len(back.Errors) > 0 || len(back.Metrics) != 1 || !reflect.DeepEqual(back.Metrics[0], tt.m) {
			t.Errorf("ParsePerfdata(%q) = %+v, want %+v back", tt.want, back, tt.m)
		}
	}
	if got := FormatPerfdata([]Metric{{Name: "a", Value: 1}, {Name: "b c", Value: 2}}); got != "a=1 'b c'=2" {
		t.Errorf("FormatPerfdata = %q", got)
	}
}

func TestClipText(t *testing.T) {
	if got := clipText("héllo", 2); got != "h…" {
		t.Errorf("clipText cut mid-rune: %q", got)
	}
	if got := clipText("abc", 3); got != "abc" {
		t.Errorf("clipText(abc, 3) = %q", got)
	}
}

// FuzzParsePerfdata checks that parsing never panics, that every metric is
// well-formed, and that formatting the metrics and parsing them again
// gives the same metrics.
func FuzzParsePerfdata(f *testing.F) {
	for _, s := range []string{
		"/=2643MB;5948;5958;0;5968",
		"'in use'=12;;;0 'bob''s disk'=-3.5",
		"time=0.5s;1;2;0;10 pl=U rta=1.2ms;~:4;@10:20",
		"'open=1 v=2",
		"a=1;2;3;4;5;6",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		pd := ParsePerfdata(s)
		for _, m := range pd.Metrics {
			if m.Name == "" || math.IsNaN(m.Value) || math.IsInf(m.Value, 0) {
				t.Fatalf("ParsePerfdata(%q): bad metric %+v", s, m)
			}
			if !isPerfdataUnit(m.Unit) {
				t.Fatalf("ParsePerfdata(%q): unit %q not a Nagios unit", s, m.Unit)
			}
			for _, r := range []string{m.Warn, m.Crit} {
				if r == "" {
					continue
				}
				if _, err := ParseRange(r); err != nil {
					t.Fatalf("ParsePerfdata(%q): kept a bad threshold %q: %v", s, r, err)
				}
			}
		}
		text := FormatPerfdata(pd.Metrics)
		back := ParsePerfdata(text)
		if len(back.Errors) > 0 {
			t.Fatalf("ParsePerfdata(%q): formatted %q does not parse cleanly: %v", s, text, back.Errors)
		}
		if !reflect.DeepEqual(back.Metrics, pd.Metrics) && !(len(back.Metrics) == 0 && len(pd.Metrics) == 0) {
			t.Fatalf("round trip of %q via %q:\n got %s\nwant %s", s, text, dumpMetrics(back.Metrics), dumpMetrics(pd.Metrics))
		}
	})
}

func BenchmarkParsePerfdata(b *testing.B) {
	in := "/=2643MB;5948;5958;0;5968 /boot=68MB;88;93;0;98 '/home dir'=69357MB;253404;253409;0;253414 rta=0.8ms;100;500;0; pl=0%;20;60;0;100"
	for b.Loop() {
		if pd := ParsePerfdata(in); len(pd.Metrics) != 5 {
			b.Fatalf("parsed %d metrics", len(pd.Metrics))
		}
	}
}

// FormatMetric writes m as one perfdata item, quoting the label when it
// needs it; ParsePerfdata of the result gives m back.
func FormatMetric(m Metric) string {
	var b strings.Builder
	label := m.Name
	if label == "" || strings.ContainsAny(label, " \t\r\n\v\f'=") {
		label = "'" + strings.ReplaceAll(label, "'", "''") + "'"
	}
	b.WriteString(label)
	b.WriteByte('=')
	b.WriteString(formatNumber(m.Value))
	b.WriteString(m.Unit)
	fields := []string{m.Warn, m.Crit, "", ""}
	if m.Min != nil {
		fields[2] = formatNumber(*m.Min)
	}
	if m.Max != nil {
		fields[3] = formatNumber(*m.Max)
	}
	last := -1
	for i, f := range fields {
		if f != "" {
			last = i
		}
	}
	for _, f := range fields[:last+1] {
		b.WriteByte(';')
		b.WriteString(f)
	}
	return b.String()
}

// FormatPerfdata writes metrics as a space-separated perfdata list.
func FormatPerfdata(metrics []Metric) string {
	items := make([]string, len(metrics))
	for i, m := range metrics {
		items[i] = FormatMetric(m)
	}
	return strings.Join(items, " ")
}
