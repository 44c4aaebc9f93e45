package report

import (
	"strings"
	"testing"
	"time"
)

func TestWrap(t *testing.T) {
	tests := []struct {
		in    string
		width int
		want  []string
	}{
		{"short", 10, []string{"short"}},
		{"a,b,c,d", 4, []string{"a,b,", "c,d"}},
		{"(2) web1.example.org,web2.example.org", 24, []string{"(2) web1.example.org,", "web2.example.org"}},
		{"no answer within 30s", 10, []string{"no answer", "within 30s"}},
		{"db2.dc1.example.org", 10, []string{"db2.dc1.", "example.", "org"}},
		{"abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		{"x", 0, []string{"x"}},
	}
	for _, tt := range tests {
		got := wrap(tt.in, tt.width)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("wrap(%q, %d) = %q, want %q", tt.in, tt.width, got, tt.want)
		}
	}
}

// TestWrapKeepsEverything: wrapping only ever drops the spaces it breaks at.
func TestWrapKeepsEverything(t *testing.T) {
	inputs := []string{
		"4 failed units: nginx.service, php8.2-fpm.service, varnish.service",
		"(12) web[0001-0010,0015].dc1.example.org,db[1-2].dc2.example.org",
		"αβγδεζηθικλμνξοπρστυφχψω 日本語のテキスト",
	}
	for _, in := range inputs {
		for width := 1; width <= len(in)+1; width++ {
			lines := wrap(in, width)
			for _, l := range lines {
				if textWidth(l) > max(width, 2) {
					t.Errorf("wrap(%q, %d): line %q too wide", in, width, l)
				}
			}
			got := strings.ReplaceAll(strings.Join(lines, ""), " ", "")
			if want := strings.ReplaceAll(in, " ", ""); got != want {
				t.Errorf("wrap(%q, %d) lost text: %q", in, width, lines)
			}
		}
	}
}

func TestSanitize(t *testing.T) {
	tests := []struct {
		in        string
		keepLines bool
		want      string
	}{
		{"plain", false, "plain"},
		{"a\x1b[31mred", false, "a?[31mred"},
		{"two\nlines\ttab", false, "two?lines tab"},
		{"two\nlines\ttab", true, "two\nlines\ttab"},
		{"bell\a", true, "bell?"},
		{"c1\u009b", false, "c1?"},
	}
	for _, tt := range tests {
		if got := sanitize(tt.in, tt.keepLines); got != tt.want {
			t.Errorf("sanitize(%q, %v) = %q, want %q", tt.in, tt.keepLines, got, tt.want)
		}
	}
}

func TestHumanDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		840 * time.Millisecond:   "840ms",
		2134 * time.Millisecond:  "2.1s",
		63400 * time.Millisecond: "1m3s",
		0:                        "0s",
	} {
		if got := humanDuration(d); got != want {
			t.Errorf("humanDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
