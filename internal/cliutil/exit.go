package cliutil

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"

	"github.com/fleetcheck/fleetcheck/health"
	"github.com/urfave/cli/v2"
)

// Exit codes of SPEC.md that are not check statuses (ExitUsage is 64).
const (
	ExitConfig      = health.ExitConfig      // bad inventory, owners, checks or config file
	ExitInterrupted = health.ExitInterrupted // interrupted before anything was seen
	ExitNoVerdict   = health.ExitNoVerdict   // as UNKNOWN: e.g. a query that selects no hosts
)

// Usagef is a bad command line: exit 64.
func Usagef(format string, args ...any) error {
	return cli.Exit(fmt.Sprintf(format, args...), ExitUsage)
}

// Exit is the one mapping of library errors to exit codes: nil stays nil,
// an error that carries its code (a cli.ExitCoder anywhere in its chain,
// such as fleetenv's usage and nothing-selected errors) keeps it, anything
// else exits with fallback (1 for a failure, ExitConfig for an input
// file's).
func Exit(err error, fallback int) error {
	if err == nil {
		return nil
	}
	var coder cli.ExitCoder
	if errors.As(err, &coder) {
		return cli.Exit(err.Error(), coder.ExitCode())
	}
	return cli.Exit(err.Error(), fallback)
}

// Code is a run's exit code as an error: nil for 0, else an exit with no
// message (what went wrong was reported on stdout).
func Code(code int) error {
	if code == 0 {
		return nil
	}
	return cli.Exit("", code)
}

// CheckFormat is the check of an "-o FORMAT" flag (flag as shown, such as
// "-o"): a usage error unless v is one of formats.
func CheckFormat(flag, v string, formats ...string) error {
	if slices.Contains(formats, v) {
		return nil
	}
	return Usagef("%s %s: expected %s", flag, v, orList(formats))
}

// orList is "a", "a or b", "a, b or c".
func orList(s []string) string {
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// Logger is the diagnostics logger on stderr: warnings and errors, and
// with debug (--debug) everything.
func Logger(stderr io.Writer, debug bool) *slog.Logger {
	level := slog.LevelWarn
	if debug {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
}
