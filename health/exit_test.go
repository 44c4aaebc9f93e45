package health

import (
	"strings"
	"testing"
)

// TestExitCode is the table of SPEC.md "Exit codes" for every status and
// every ending of a sweep.
func TestExitCode(t *testing.T) {
	want := map[Ending][5]int{ // by OK, WARNING, CRITICAL, UNKNOWN, UNREACHABLE
		Finished:    {0, 1, 2, 3, 3},
		Cut:         {3, 3, 2, 3, 3}, // hosts never checked count as UNKNOWN: never 0
		Interrupted: {130, 1, 2, 3, 3},
	}
	names := map[Ending]string{Finished: "finished", Cut: "cut", Interrupted: "interrupted"}
	for how, codes := range want {
		for st, code := range codes {
			if got := ExitCode(Status(st), how); got != code {
				t.Errorf("%s sweep, worst %s: exit %d, want %d", names[how], Status(st), got, code)
			}
		}
	}
}

// An incomplete sweep cut by --global-timeout never exits 0, whatever it
// saw; an interrupted one exits 130 when it saw nothing wrong.
func TestExitCodeIncompleteSweep(t *testing.T) {
	tests := []struct {
		name                  string
		worst                 Status
		complete, interrupted bool
		want                  int
	}{
		{"complete and healthy", OK, true, false, 0},
		{"cut between hosts, all seen OK", OK, false, false, 3},
		{"cut, a warning seen", Warning, false, false, 3},
		{"cut, a critical seen", Critical, false, false, 2},
		{"interrupted, all seen OK", OK, false, true, 130},
		{"interrupted, a warning seen", Warning, false, true, 1},
		{"interrupted wins over a cut", Unreachable, false, true, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ExitCode(tt.worst, EndingOf(tt.complete, tt.interrupted)); got != tt.want {
				t.Errorf("exit %d, want %d", got, tt.want)
			}
			if tt.interrupted {
				return
			}
			sum := Summary{Worst: tt.worst, Complete: tt.complete}
			if got := sum.ExitCode(); got != tt.want {
				t.Errorf("Summary.ExitCode %d, want %d", got, tt.want)
			}
		})
	}
}

func TestStatusNames(t *testing.T) {
	for st := OK; st <= Unreachable; st++ {
		for _, name := range []string{st.String(), strings.ToLower(st.String())} {
			got, err := ParseStatus(name)
			if err != nil || got != st {
				t.Errorf("ParseStatus(%q) = %v, %v; want %v", name, got, err, st)
			}
		}
		text, _ := st.MarshalText()
		if back, err := ParseStatus(string(text)); err != nil || back != st {
			t.Errorf("%v: text %q reads back as %v, %v", st, text, back, err)
		}
	}
	if got, err := ParseStatus("critical"); err != nil || got != Critical {
		t.Errorf("ParseStatus(critical) = %v, %v", got, err)
	}
	if _, err := ParseStatus("fine"); err == nil {
		t.Error("ParseStatus(fine): no error")
	}
	if s := Status(9).String(); s != "Status(9)" {
		t.Errorf("Status(9) is %q", s)
	}
}

func TestWorst(t *testing.T) {
	tests := []struct {
		in   []Status
		want Status
	}{
		{nil, OK},
		{[]Status{OK, Warning}, Warning},
		{[]Status{Warning, Unknown}, Unknown},
		{[]Status{Unknown, Unreachable}, Unreachable},
		{[]Status{Unreachable, Critical, OK}, Critical},
	}
	for _, tt := range tests {
		if got := Worst(tt.in...); got != tt.want {
			t.Errorf("Worst(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
