package cliutil

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

func TestExitStatus(t *testing.T) {
	tests := []struct {
		err    error
		code   int
		stderr string
	}{
		{nil, 0, ""},
		{cli.Exit("", 2), 2, ""},
		{cli.Exit("bad flag", 64), 64, "prog: bad flag\n"},
		{errors.New("boom"), 1, "prog: boom\n"},
	}
	for _, tt := range tests {
		var b strings.Builder
		if code := ExitStatus(tt.err, &b, "prog"); code != tt.code || b.String() != tt.stderr {
			t.Errorf("ExitStatus(%v) = %d, %q; want %d, %q", tt.err, code, b.String(), tt.code, tt.stderr)
		}
	}
}

// codeErr is a library error that carries its exit code.
type codeErr struct{ code int }

func (e codeErr) Error() string { return "coded" }
func (e codeErr) ExitCode() int { return e.code }

func TestExit(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		fallback int
		code     int // -1: nil
		msg      string
	}{
		{"nil", nil, 1, -1, ""},
		{"plain", errors.New("boom"), 1, 1, "boom"},
		{"plain config", errors.New("bad.yaml:1:2: x"), ExitConfig, 78, "bad.yaml:1:2: x"},
		{"carries its code", codeErr{64}, ExitConfig, 64, "coded"},
		{"wrapped code", fmt.Errorf("ctx: %w", codeErr{3}), 1, 3, "ctx: coded"},
		{"cli exit", cli.Exit("", 75), 1, 75, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Exit(tt.err, tt.fallback)
			if tt.code < 0 {
				if err != nil {
					t.Fatalf("Exit(nil) = %v, want nil", err)
				}
				return
			}
			var b strings.Builder
			if code := ExitStatus(err, &b, "p"); code != tt.code || (tt.msg != "" && b.String() != "p: "+tt.msg+"\n") || (tt.msg == "" && b.Len() > 0) {
				t.Errorf("Exit(%v, %d): code %d, stderr %q; want %d, %q", tt.err, tt.fallback, code, b.String(), tt.code, tt.msg)
			}
		})
	}
}

func TestCheckFormat(t *testing.T) {
	tests := []struct {
		v       string
		formats []string
		want    string // "" valid
	}{
		{"json", []string{"text", "json"}, ""},
		{"xml", []string{"text", "json"}, "-o xml: expected text or json"},
		{"yaml", []string{"table", "json", "ndjson"}, "-o yaml: expected table, json or ndjson"},
		{"", []string{"markdown"}, "-o : expected markdown"},
	}
	for _, tt := range tests {
		err := CheckFormat("-o", tt.v, tt.formats...)
		var b strings.Builder
		code := ExitStatus(err, &b, "p")
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("CheckFormat(%q) = %v, want nil", tt.v, err)
		case tt.want != "" && (code != ExitUsage || b.String() != "p: "+tt.want+"\n"):
			t.Errorf("CheckFormat(%q): %d %q, want 64 %q", tt.v, code, b.String(), tt.want)
		}
	}
}

func TestLogger(t *testing.T) {
	for _, debug := range []bool{false, true} {
		var b strings.Builder
		l := Logger(&b, debug)
		l.Debug("dbg")
		l.Warn("wrn")
		if got := b.String(); strings.Contains(got, "msg=dbg") != debug || !strings.Contains(got, "msg=wrn") {
			t.Errorf("Logger(debug %v) wrote %q", debug, got)
		}
	}
}

func TestCode(t *testing.T) {
	for _, code := range []int{0, 1, 2, 3, 75} {
		var b strings.Builder
		err := Code(code)
		if got := ExitStatus(err, &b, "p"); got != code || b.Len() > 0 || (code == 0) != (err == nil) {
			t.Errorf("Code(%d): exit %d, stderr %q, err %v", code, got, b.String(), err)
		}
	}
}
