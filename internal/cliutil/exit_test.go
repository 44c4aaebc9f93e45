package cliutil

import (
	"errors"
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
