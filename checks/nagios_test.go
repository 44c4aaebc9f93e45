package checks

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func mustNew(t *testing.T, typ, name string, p Params) Check {
	t.Helper()
	c, err := Builtins().New(typ, name, p)
	if err != nil {
		t.Fatalf("New(%s, %v): %v", typ, p, err)
	}
	return c
}

func TestNagiosGolden(t *testing.T) {
	chk := mustNew(t, "nagios", "nginx-procs", Params{"command": "/usr/lib/nagios/plugins/check_procs -c 1: -C nginx"})
	runGolden(t, chk, "testdata/nagios")
}

func TestNagiosSignalsAndNoStatus(t *testing.T) {
	chk := mustNew(t, "nagios", "p", Params{"command": "check_x"})
	tests := []struct {
		out     Output
		summary string
	}{
		{Output{Stdout: []byte("OK partial\n"), ExitCode: -1, Signal: "KILL"}, "plugin killed by signal KILL"},
		{Output{ExitCode: -1}, "plugin ended without an exit status"},
		{Output{Stdout: []byte("FOO\n"), ExitCode: 255}, "plugin exited with status 255 (expected 0 to 3)"},
	}
	for _, tt := range tests {
		res := chk.Evaluate(tt.out)
		if res.Status != Unknown || res.Summary != tt.summary {
			t.Errorf("Evaluate(%+v) = %s %q, want UNKNOWN %q", tt.out, res.Status, res.Summary, tt.summary)
		}
	}
	if res := chk.Evaluate(Output{Stdout: []byte("OK partial\n"), ExitCode: -1, Signal: "KILL"}); !strings.Contains(res.Details, "output: OK partial") {
		t.Errorf("details lost the plugin output: %q", res.Details)
	}
}

func TestNagiosNew(t *testing.T) {
	tests := []struct {
		p       Params
		wantErr string
	}{
		{Params{"command": "/bin/true"}, ""},
		{Params{}, `parameter "command": required: the plugin command line`},
		{Params{"command": "  "}, `parameter "command": required: the plugin command line`},
		{Params{"command": []any{"a"}}, `parameter "command": expected a string, found a list`},
		{Params{"command": "x\x00y"}, `parameter "command": contains a NUL byte`},
		{Params{"command": "x", "warn": 1}, `parameter "warn": unknown parameter (known: command)`},
	}
	for _, tt := range tests {
		c, err := Builtins().New("nagios", "n", tt.p)
		if tt.wantErr == "" {
			if err != nil {
				t.Errorf("New(%v): %v", tt.p, err)
			} else if c.Command() != tt.p["command"] || c.Name() != "n" {
				t.Errorf("New(%v): command %q name %q", tt.p, c.Command(), c.Name())
			}
			continue
		}
		var pe *ParamError
		if err == nil || err.Error() != tt.wantErr || !errors.As(err, &pe) {
			t.Errorf("New(%v) error = %v, want ParamError %q", tt.p, err, tt.wantErr)
		}
	}
}

// runCommandHere runs a check's command with sh on this machine, as the
// runner would on a host.
func runCommandHere(t *testing.T, cmd string) Output {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	c := exec.CommandContext(ctx, "sh", "-c", cmd)
	c.Stdout, c.Stderr = &stdout, &stderr
	start := time.Now()
	err := c.Run()
	out := Output{Stdout: stdout.Bytes(), Stderr: stderr.Bytes(), Duration: time.Since(start), Now: time.Now()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		out.ExitCode = ee.ExitCode()
	default:
		t.Fatalf("run %q: %v", cmd, err)
	}
	return out
}

func TestNagiosRunsPluginHere(t *testing.T) {
	dir := t.TempDir()
	plugin := filepath.Join(dir, "check_fake")
	script := "#!/bin/sh\necho 'FAKE WARNING - 2 of 3 | a=2;1;5 b=1s'\necho 'long line'\necho 'oops' >&2\nexit 1\n"
	if err := os.WriteFile(plugin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	chk := mustNew(t, "nagios", "fake", Params{"command": plugin + " -w 1"})
	res := chk.Evaluate(runCommandHere(t, chk.Command()))
	if res.Status != Warning || res.Summary != "FAKE WARNING - 2 of 3" || len(res.Metrics) != 2 || res.Details != "long line\nstderr:\noops" {
		t.Errorf("got %s %q %q %+v", res.Status, res.Summary, res.Details, res.Metrics)
	}
	missing := mustNew(t, "nagios", "missing", Params{"command": filepath.Join(dir, "check_nope") + " -x"})
	res = missing.Evaluate(runCommandHere(t, missing.Command()))
	if want := "plugin not found: " + filepath.Join(dir, "check_nope"); res.Status != Unknown || res.Summary != want {
		t.Errorf("missing plugin: %s %q, want UNKNOWN %q", res.Status, res.Summary, want)
	}
}

func TestParsePluginOutputLimits(t *testing.T) {
	long := strings.Repeat("é", 1000)
	chk := mustNew(t, "nagios", "n", Params{"command": "x"})
	// The summary is cut at a character, the whole line kept in details.
	res := chk.Evaluate(Output{Stdout: []byte(long + "\n")})
	if n := len([]rune(res.Summary)); n > nagiosMaxSummary+1 || !utf8.ValidString(res.Summary) {
		t.Errorf("summary has %d runes (valid UTF-8 %v), want at most %d", n, utf8.ValidString(res.Summary), nagiosMaxSummary+1)
	}
	if !strings.Contains(res.Details, long) {
		t.Errorf("details %q do not hold the whole first line", clipText(res.Details, 80))
	}
	res = chk.Evaluate(Output{Stdout: []byte("OK\n" + strings.Repeat("line\n", 10000))})
	if len(res.Details) > nagiosMaxDetails+len("…") {
		t.Errorf("details are %d bytes, want at most %d", len(res.Details), nagiosMaxDetails)
	}
	// The cut says what was cut.
	if !strings.Contains(res.Details, "details cut at 16.0 KiB") || !strings.Contains(res.Details, "more lines not shown") {
		t.Errorf("details end %q, want a note of the cut", res.Details[len(res.Details)-120:])
	}
}

// paramCase is one call of a built-in's New: the parameters and the exact
// *ParamError message expected ("" for success).
type paramCase struct {
	p       Params
	wantErr string
}

// checkNewErrors builds typ (named name) with each case's parameters and
// checks the result: no error, or exactly the *ParamError wanted.
func checkNewErrors(t *testing.T, typ, name string, tests []paramCase) {
	t.Helper()
	for _, tt := range tests {
		_, err := Builtins().New(typ, name, tt.p)
		if tt.wantErr == "" {
			if err != nil {
				t.Errorf("New(%v): %v", tt.p, err)
			}
			continue
		}
		var pe *ParamError
		if err == nil || err.Error() != tt.wantErr || !errors.As(err, &pe) {
			t.Errorf("New(%v) error = %v, want ParamError %q", tt.p, err, tt.wantErr)
		}
	}
}
