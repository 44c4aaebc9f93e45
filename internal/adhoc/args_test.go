package adhoc

import (
	"bytes"
	"testing"

	"github.com/fleetcheck/fleetcheck/report"
)

func TestSplitArgs(t *testing.T) {
	tests := []struct {
		args           []string
		query, command string
		err            string
	}{
		{[]string{"web*", "--", "uptime"}, "web*", "uptime", ""},
		{[]string{"role=db", "and", "dc=dc1", "--", "df", "-h", "--", "x"}, "role=db and dc=dc1", "df -h -- x", ""},
		{[]string{"web*", "uptime"}, "", "", "expected QUERY -- COMMAND (the -- is required: everything before it is the query)"},
		{[]string{"--", "uptime"}, "", "", "expected QUERY -- COMMAND, found no query before -- ('all' for every host)"},
		{[]string{"all", "--", " "}, "", "", "expected QUERY -- COMMAND, found no command after --"},
	}
	for _, tt := range tests {
		q, c, err := SplitArgs(tt.args)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("SplitArgs(%q) error = %v, want %q", tt.args, err, tt.err)
			}
			continue
		}
		if err != nil || q != tt.query || c != tt.command {
			t.Errorf("SplitArgs(%q) = %q, %q, %v; want %q, %q", tt.args, q, c, err, tt.query, tt.command)
		}
	}
}

func TestExitCodeAndSuccesses(t *testing.T) {
	results := []report.ExecResult{{Host: "a"}, {Host: "b", ExitCode: 1}, {Host: "c", ErrorKind: "timeout"}, {Host: "d"}}
	if ok := Successes(results); ok != 2 {
		t.Fatalf("Successes = %d, want 2", ok)
	}
	tests := []struct {
		interrupted bool
		ok, total   int
		pct         float64
		want        int
	}{
		{false, 4, 4, 100, 0},
		{false, 2, 4, 100, 2},
		{false, 2, 4, 50, 1},
		{false, 1, 4, 50, 2},
		{false, 0, 4, 0, 1},
		{true, 4, 4, 100, 130},
		{true, 0, 4, 100, 130},
	}
	for _, tt := range tests {
		if got := ExitCode(tt.interrupted, tt.ok, tt.total, tt.pct); got != tt.want {
			t.Errorf("ExitCode(%v, %d, %d, %v) = %d, want %d", tt.interrupted, tt.ok, tt.total, tt.pct, got, tt.want)
		}
	}
}

func TestWrite(t *testing.T) {
	results := []report.ExecResult{{Host: "web1", Stdout: []byte("up\n")}, {Host: "web2", ExitCode: 1, Stdout: []byte("down\n")}}
	for _, format := range []string{"text", "json"} {
		var got, want bytes.Buffer
		if err := Write(&got, format, "uptime", results, 2, 50, false); err != nil {
			t.Fatal(err)
		}
		var err error
		if format == "json" {
			err = report.WriteExecJSON(&want, results)
		} else if err = report.WriteExecGroupsCmd(&want, "uptime", results, false); err == nil {
			err = report.ExecSummary(&want, 1, 2, 50)
		}
		if err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() || got.Len() == 0 {
			t.Errorf("Write %s:\n%s\nwant:\n%s", format, got.String(), want.String())
		}
	}
}
