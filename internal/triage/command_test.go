package triage

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/internal/fleetenv"
)

// checkErr is "" when err is nil, else its message; it fails unless a
// non-nil err is a usage error (exit 64).
func checkErr(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var ue *fleetenv.UsageError
	if !errors.As(err, &ue) {
		t.Errorf("%v: not a usage error", err)
	}
	return err.Error()
}

func TestAckCommandCheck(t *testing.T) {
	tests := []struct {
		name string
		c    AckCommand
		want string // "" valid; else a part of the message
	}{
		{"ack", AckCommand{Args: []string{"web1", "disk"}, For: "7d", Reason: "T-1"}, ""},
		{"list", AckCommand{List: true, Format: "json"}, ""},
		{"remove", AckCommand{Remove: true, Args: []string{"web1", "disk"}, For: "bad"}, ""},
		{"list and remove", AckCommand{List: true, Remove: true}, "--list and --remove do not go together"},
		{"list with arguments", AckCommand{List: true, Args: []string{"web1"}, Format: "table"}, `ack --list takes no arguments (found "web1")`},
		{"list format", AckCommand{List: true, Format: "yaml"}, "-o yaml: expected table or json"},
		{"one argument", AckCommand{Args: []string{"web1"}, For: "7d"}, "ack takes QUERY and CHECK (found 1 arguments"},
		{"bad for", AckCommand{Args: []string{"web1", "disk"}, For: "soon"}, "--for"},
		{"zero for", AckCommand{Args: []string{"web1", "disk"}, For: "0s"}, "above 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := checkErr(t, tt.c.Check()); (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("Check() = %q, want %q", got, tt.want)
			}
		})
	}
	c := AckCommand{Args: []string{"web1", "disk"}, For: "2h"}
	if err := c.Check(); err != nil || c.forD != 2*time.Hour || c.untilResolved {
		t.Errorf("--for 2h: %v, %v, until resolved %v", c.forD, err, c.untilResolved)
	}
	c = AckCommand{Args: []string{"web1", "disk"}, For: UntilResolved}
	if err := c.Check(); err != nil || !c.untilResolved {
		t.Errorf("--for resolved: %v, until resolved %v", err, c.untilResolved)
	}
}

func TestMaintenanceCommandCheck(t *testing.T) {
	now := time.Date(2026, 12, 1, 20, 0, 0, 0, time.UTC)
	str := func(s string) *string { return &s }
	tests := []struct {
		name  string
		c     MaintenanceCommand
		want  string
		exist bool // StoreMustExist
	}{
		{"add", MaintenanceCommand{Args: []string{"role=web"}, For: "2h", Reason: "r"}, "", false},
		{"add later", MaintenanceCommand{Args: []string{"web1"}, For: "2h", Start: str("+1h")}, "", false},
		{"list", MaintenanceCommand{List: true, Format: "table"}, "", false},
		{"remove", MaintenanceCommand{Remove: str("3")}, "", true},
		{"list and remove", MaintenanceCommand{List: true, Remove: str("3")}, "--list and --remove do not go together", true},
		{"list with arguments", MaintenanceCommand{List: true, Args: []string{"web1"}}, `maintenance --list takes no arguments (found "web1")`, false},
		{"list format", MaintenanceCommand{List: true, Format: "xml"}, "-o xml: expected table or json", false},
		{"remove no id", MaintenanceCommand{Remove: str("web1")}, `--remove "web1": expected a window ID`, true},
		{"remove zero", MaintenanceCommand{Remove: str("0")}, `--remove "0"`, true},
		{"no query", MaintenanceCommand{For: "2h"}, "maintenance takes a QUERY", false},
		{"no for", MaintenanceCommand{Args: []string{"web1"}}, "--for is required", false},
		{"bad for", MaintenanceCommand{Args: []string{"web1"}, For: "-"}, "--for", false},
		{"bad start", MaintenanceCommand{Args: []string{"web1"}, For: "2h", Start: str("tomorrow")}, `--start: expected a time`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.c.Now = now
			if got := checkErr(t, tt.c.Check()); (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("Check() = %q, want %q", got, tt.want)
			}
			if tt.c.StoreMustExist() != tt.exist {
				t.Errorf("StoreMustExist() = %v, want %v", !tt.exist, tt.exist)
			}
		})
	}
	c := MaintenanceCommand{Args: []string{"role=web", "and", "dc=1"}, For: "2h", Start: str("+1h"), Reason: "r", By: "ops", Now: now}
	if err := c.Check(); err != nil {
		t.Fatal(err)
	}
	want := MaintenanceOptions{Query: "role=web and dc=1", For: 2 * time.Hour, Start: now.Add(time.Hour), Reason: "r", By: "ops", Now: now}
	if c.opts != want {
		t.Errorf("options %+v, want %+v", c.opts, want)
	}
}

func TestBudgetCommandCheck(t *testing.T) {
	tests := []struct {
		name string
		c    BudgetCommand
		want string
	}{
		{"default", BudgetCommand{Window: "30d", Format: "table"}, ""},
		{"json", BudgetCommand{Window: "7d", Format: "json"}, ""},
		{"arguments", BudgetCommand{Args: []string{"x"}, Window: "30d", Format: "table"}, `budget takes no arguments (found "x")`},
		{"format", BudgetCommand{Window: "30d", Format: "csv"}, "-o csv: expected table or json"},
		{"window", BudgetCommand{Window: "month", Format: "table"}, "--window"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := checkErr(t, tt.c.Check()); (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("Check() = %q, want %q", got, tt.want)
			}
		})
	}
}
