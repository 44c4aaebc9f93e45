package ownership

import (
	"errors"
	"testing"

	"github.com/fleetcheck/fleetcheck/internal/posfile"
)

func TestSLO(t *testing.T) {
	f, err := Parse("owners.yaml", []byte("fallback: triage\nslo: 99.5%\nteams:\n  triage: {}\n  web: {slo: '99.9'}\n"))
	if err != nil {
		t.Fatal(err)
	}
	for team, want := range map[string]float64{"web": 99.9, "triage": 99.5, "nobody": 99.5} {
		if got := f.SLOOf(team); got != want {
			t.Errorf("SLOOf(%s) = %v, want %v", team, got, want)
		}
	}
	f, err = Parse("owners.yaml", []byte("fallback: triage\nteams:\n  triage: {}\n"))
	if err != nil || f.SLOOf("triage") != 0 {
		t.Fatalf("no slo: %v, %v", f.SLOOf("triage"), err)
	}
}

func TestSLOErrors(t *testing.T) {
	tests := []struct {
		text      string
		line, col int
		msg       string
	}{
		{"fallback: t\nslo: 100%\nteams: {t: {}}\n", 2, 6, `slo: expected a percentage above 0 and below 100, such as 99.5%, found "100%"`},
		{"fallback: t\nslo: 0\nteams: {t: {}}\n", 2, 6, `slo: expected a percentage above 0 and below 100, such as 99.5%, found "0"`},
		{"fallback: t\nteams:\n  t: {slo: high}\n", 3, 12, `team t: slo: expected a percentage above 0 and below 100, such as 99.5%, found "high"`},
		{"fallback: t\nteams:\n  t: {slo: -5%}\n", 3, 12, `team t: slo: expected a percentage above 0 and below 100, such as 99.5%, found "-5%"`},
		{"fallback: t\nteams:\n  t: {slos: 99%}\n", 3, 7, `unknown key "slos" in team t (did you mean "slo"?)`},
	}
	for _, tt := range tests {
		_, err := Parse("owners.yaml", []byte(tt.text))
		var pe *posfile.Error
		if !errors.As(err, &pe) {
			t.Fatalf("%q: %v, want a *posfile.Error", tt.text, err)
		}
		if pe.Line != tt.line || pe.Col != tt.col || pe.Msg != tt.msg {
			t.Errorf("%q: %d:%d %q\nwant %d:%d %q", tt.text, pe.Line, pe.Col, pe.Msg, tt.line, tt.col, tt.msg)
		}
	}
}
