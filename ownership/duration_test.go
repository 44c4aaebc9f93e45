package ownership

import (
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		err  bool
	}{
		{"4h", 4 * time.Hour, false},
		{"3d", 72 * time.Hour, false},
		{"1w", 7 * 24 * time.Hour, false},
		{"1d12h", 36 * time.Hour, false},
		{"90m", 90 * time.Minute, false},
		{"1.5h", 90 * time.Minute, false},
		{"30s", 30 * time.Second, false},
		{"", 0, true},
		{"4", 0, true},
		{"h", 0, true},
		{"4hours", 0, true},
		{"-3d", 0, true},
		{"0h", 0, true},
		{"1..5h", 0, true},
	}
	for _, tt := range tests {
		got, err := parseDuration(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("parseDuration(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	tests := map[time.Duration]string{
		4 * time.Hour:    "4h",
		72 * time.Hour:   "3d",
		36 * time.Hour:   "1d12h",
		90 * time.Minute: "1h30m",
		30 * time.Second: "30s",
	}
	for d, want := range tests {
		if got := formatDuration(d); got != want {
			t.Errorf("formatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
