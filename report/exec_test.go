package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// execFixture: three identical outputs, one different, one with stderr,
// one silent failure, two connection failures of one kind and one of
// another.
func execFixture() []ExecResult {
	return []ExecResult{
		{Host: "web3.example.org", Stdout: []byte("6.1.0-18-amd64\n")},
		{Host: "web1.example.org", Stdout: []byte("6.1.0-18-amd64\n")},
		{Host: "web2.example.org", Stdout: []byte("6.1.0-18-amd64\r\n")},
		{Host: "web4.example.org", Stdout: []byte("6.1.0-21-amd64")},
		{Host: "db1.example.org", ExitCode: 2, Stdout: []byte("partial\n"), Stderr: []byte("uname: \x1b[31mbroken\n")},
		{Host: "db2.example.org", ExitCode: 1},
		{Host: "cache1.example.org", ExitCode: -1, ErrorKind: "timeout", Err: "no answer within 10s"},
		{Host: "cache2.example.org", ExitCode: -1, ErrorKind: "timeout", Err: "no answer within 10s"},
		{Host: "cache3.example.org", ExitCode: -1, ErrorKind: "hostkey_mismatch", Err: "host key changed"},
		{Host: "cache4.example.org", ExitCode: -1, ErrorKind: "skipped", Err: "not run: success threshold unreachable"},
	}
}

func TestExecGolden(t *testing.T) {
	for _, tt := range []struct {
		name  string
		cmd   string
		color bool
	}{
		{"exec_groups.txt", "uname -r", false},
		{"exec_groups_color.txt", "uname -r", true},
		{"exec_groups_nocmd.txt", "", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteExecGroupsCmd(&buf, tt.cmd, execFixture(), tt.color); err != nil {
				t.Fatal(err)
			}
			if err := ExecSummary(&buf, 4, 10, 100); err != nil {
				t.Fatal(err)
			}
			golden(t, tt.name, buf.Bytes())
			if got := strings.Contains(buf.String(), "\x1b["); got != tt.color {
				t.Errorf("ANSI present %v, want %v", got, tt.color)
			}
			if strings.Contains(buf.String(), "\x1b[31mbroken") {
				t.Errorf("remote escape sequence passed through")
			}
		})
	}
}

func TestExecGroupsContent(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteExecGroupsCmd(&buf, "", execFixture(), false); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"===== NODE GROUP =====\n(3) ", // the three identical kernels, CRLF folded
		"----- OUTPUT -----\n6.1.0-21-amd64\n",
		"----- STDERR -----\nuname: ?[31mbroken\n",
		"----- CONNECTION FAILURES -----\n",
		"(1) cache3.example.org: hostkey_mismatch (host key changed)\n",
		": timeout (no answer within 10s)\n",
		"----- EXIT CODES -----\n",
		"(4) ", ": exit code 0\n",
		"(1) db2.example.org: exit code 1\n",
		"(1) db1.example.org: exit code 2\n",
		"----- NOT RUN -----\n(1) cache4.example.org: skipped (not run: success threshold unreachable)\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "db2.example.org\n----- OUTPUT") {
		t.Errorf("a host without output got an output group:\n%s", out)
	}
	if strings.Index(out, "exit code 0") > strings.Index(out, "exit code 1") {
		t.Errorf("exit codes not ascending:\n%s", out)
	}
	if strings.Index(out, "CONNECTION FAILURES") > strings.Index(out, "EXIT CODES") {
		t.Errorf("connection failures not listed apart before exit codes")
	}
}

func TestExecSummary(t *testing.T) {
	tests := []struct {
		ok, total int
		threshold float64
		want      string
	}{
		{190, 200, 100, "95.0% (190/200) success ratio (< 100.0% threshold)\n"},
		{200, 200, 100, "100.0% (200/200) success ratio (>= 100.0% threshold)\n"},
		{190, 200, 95, "95.0% (190/200) success ratio (>= 95.0% threshold)\n"},
		{1, 3, 30, "33.3% (1/3) success ratio (>= 30.0% threshold)\n"},
		{0, 0, 100, "0.0% (0/0) success ratio (< 100.0% threshold)\n"},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		if err := ExecSummary(&buf, tt.ok, tt.total, tt.threshold); err != nil {
			t.Fatal(err)
		}
		if buf.String() != tt.want {
			t.Errorf("ExecSummary(%d, %d, %v) = %q, want %q", tt.ok, tt.total, tt.threshold, buf.String(), tt.want)
		}
	}
}

func TestExecJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteExecJSON(&buf, execFixture()); err != nil {
		t.Fatal(err)
	}
	golden(t, "exec.json", buf.Bytes())
	var doc map[string]struct {
		ExitCode  int     `json:"exit_code"`
		Stdout    string  `json:"stdout"`
		Stderr    string  `json:"stderr"`
		ErrorKind string  `json:"error_kind"`
		Error     *string `json:"error"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc) != 10 {
		t.Errorf("%d hosts, want 10", len(doc))
	}
	if h := doc["db1.example.org"]; h.ExitCode != 2 || h.Stdout != "partial\n" || h.Stderr != "uname: \x1b[31mbroken\n" || h.Error != nil {
		t.Errorf("db1: %+v", h)
	}
	if h := doc["cache1.example.org"]; h.ErrorKind != "timeout" || h.Error == nil || *h.Error != "no answer within 10s" {
		t.Errorf("cache1: %+v", h)
	}
}

// BenchmarkExecGroups10k groups 10,000 hosts with a handful of distinct
// outputs, the shape of a fleet-wide ad-hoc command.
func BenchmarkExecGroups10k(b *testing.B) {
	results := make([]ExecResult, 10000)
	for i := range results {
		results[i] = ExecResult{Host: fmt.Sprintf("web%05d.example.org", i), Stdout: []byte(fmt.Sprintf("kernel %d\n", i%7)), ExitCode: i % 3}
	}
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := WriteExecGroupsCmd(&buf, "", results, false); err != nil {
			b.Fatal(err)
		}
	}
}

// A command cut after it started is listed apart, as cut while running,
// not as a connection failure nor as never run; JSON says so too.
func TestExecCutWhileRunning(t *testing.T) {
	results := []ExecResult{
		{Host: "a1", ExitCode: -1, ErrorKind: CanceledKind, Running: true, Err: "canceled"},
		{Host: "a2", ExitCode: -1, ErrorKind: CanceledKind, Err: "not started"},
		{Host: "b1", ExitCode: -1, ErrorKind: "timeout", Running: true, Err: "host timeout"},
		{Host: "b2", ExitCode: -1, ErrorKind: "timeout", Err: "no banner"},
	}
	var buf bytes.Buffer
	if err := WriteExecGroupsCmd(&buf, "", results, false); err != nil {
		t.Fatal(err)
	}
	want := "----- CUT WHILE RUNNING -----\n" +
		"(1) a1: interrupted while running (may still be running)\n" +
		"(1) b1: timed out while running (may still be running)\n" +
		"----- CONNECTION FAILURES -----\n" +
		"(1) b2: timeout (no banner)\n" +
		"----- NOT RUN -----\n" +
		"(1) a2: canceled (not started)\n"
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
	buf.Reset()
	if err := WriteExecJSON(&buf, results); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(buf.String(), `"cut_while_running": true`); n != 2 {
		t.Errorf("%d hosts marked cut_while_running in JSON, want 2:\n%s", n, buf.String())
	}
}
