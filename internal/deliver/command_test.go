package deliver

import (
	"strings"
	"testing"
	"time"
)

func TestFlagsCheck(t *testing.T) {
	tests := []struct {
		name  string
		f     Flags
		want  time.Duration
		error string // "" valid
	}{
		{"not posting takes anything", Flags{Team: "a", Since: "x", Format: "json", Timeout: "soon"}, 0, ""},
		{"post", Flags{Post: true, Format: "markdown", Timeout: "3m"}, 3 * time.Minute, ""},
		{"dry run", Flags{DryRun: true, Format: "markdown", Timeout: "2s"}, 2 * time.Second, ""},
		{"team", Flags{Post: true, Team: "a", Format: "markdown", Timeout: "3m"}, 0, "drop --team"},
		{"since", Flags{Post: true, Since: "1h", Format: "markdown", Timeout: "3m"}, 0, "drop --since"},
		{"format", Flags{DryRun: true, Format: "json", Timeout: "3m"}, 0, "drop -o json"},
		{"bad timeout", Flags{Post: true, Format: "markdown", Timeout: "soon"}, 0, `--post-timeout "soon"`},
		{"zero timeout", Flags{Post: true, Format: "markdown", Timeout: "0s"}, 0, "expected a duration above 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := tt.f.Check()
			if tt.error == "" {
				if err != nil || d != tt.want {
					t.Fatalf("Check() = %v, %v; want %v, nil", d, err, tt.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.error) {
				t.Fatalf("Check() error %v, want one containing %q", err, tt.error)
			}
		})
	}
}

func TestExitError(t *testing.T) {
	if e := (&ExitError{Code: 75}); e.Error() != "" || e.ExitCode() != 75 || e.Unwrap() != nil {
		t.Errorf("code-only ExitError: %q %d %v", e.Error(), e.ExitCode(), e.Unwrap())
	}
	if err := failed(nil); err != nil {
		t.Errorf("failed(nil) = %v", err)
	}
}
