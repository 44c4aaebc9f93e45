// Package checks defines what a health check is, the statuses it reports and
// the registry of built-in checks. A check is a remote command plus a pure
// function that turns the command's output into a Result; it knows nothing
// of SSH or ownership.
package checks

import (
	"fmt"
	"strings"
	"time"
)

// Status is the verdict of one check on one host.
type Status int

// The statuses, in Nagios order; Unreachable is fleetcheck's own.
const (
	OK Status = iota
	Warning
	Critical
	Unknown
	Unreachable
)

var statusNames = [...]string{"OK", "WARNING", "CRITICAL", "UNKNOWN", "UNREACHABLE"}

// String returns the upper-case name of the status ("CRITICAL").
func (s Status) String() string {
	if s < 0 || int(s) >= len(statusNames) {
		return fmt.Sprintf("Status(%d)", int(s))
	}
	return statusNames[s]
}

// MarshalText encodes the status as its name.
func (s Status) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText decodes a status name, case-insensitively.
func (s *Status) UnmarshalText(b []byte) error {
	v, err := ParseStatus(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// ParseStatus parses a status name such as "warning" or "CRITICAL".
func ParseStatus(name string) (Status, error) {
	for i, n := range statusNames {
		if strings.EqualFold(n, name) {
			return Status(i), nil
		}
	}
	return 0, fmt.Errorf("unknown status %q (want one of %s)", name, strings.Join(statusNames[:], ", "))
}

// severity orders statuses for "worst of": CRITICAL beats UNREACHABLE beats
// UNKNOWN beats WARNING beats OK.
func (s Status) severity() int {
	switch s {
	case OK:
		return 0
	case Warning:
		return 1
	case Unknown:
		return 2
	case Unreachable:
		return 3
	case Critical:
		return 4
	}
	return 2
}

// Worse reports whether s is more severe than t.
func (s Status) Worse(t Status) bool { return s.severity() > t.severity() }

// Worst returns the most severe of the statuses, OK for none.
func Worst(statuses ...Status) Status {
	w := OK
	for _, s := range statuses {
		if s.Worse(w) {
			w = s
		}
	}
	return w
}

// ExitCode maps the worst status of a run to the process exit code of
// SPEC.md: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN or UNREACHABLE.
func ExitCode(worst Status) int {
	switch worst {
	case OK:
		return 0
	case Warning:
		return 1
	case Critical:
		return 2
	default:
		return 3
	}
}

// Metric is one number a check measured, with Nagios perfdata semantics.
type Metric struct {
	Name  string   // label, e.g. "age" or "/var"
	Value float64  // the measured value
	Unit  string   // "s", "ms", "%", "B", "KB", "MB", "GB", "TB", "c" or ""
	Warn  string   // warning range as written (Nagios range syntax), may be empty
	Crit  string   // critical range as written, may be empty
	Min   *float64 // optional minimum
	Max   *float64 // optional maximum
}

// Output is what one remote command produced: the input of Evaluate.
type Output struct {
	Stdout   []byte
	Stderr   []byte
	ExitCode int           // the command's exit status; -1 when killed by a signal or none was sent
	Signal   string        // the signal that ended the command, if any ("TERM")
	Duration time.Duration // how long the command took
	// Now is the local time at which the output was received. Checks that
	// judge ages should prefer the host's own clock, printed by their command,
	// and fall back to Now only when the output carries no time.
	Now time.Time
}

// Result is a check's verdict on one host.
type Result struct {
	Host      string        // inventory name of the host
	Check     string        // configured check name
	Status    Status        // the verdict
	Summary   string        // one line, no newline
	Details   string        // optional multi-line detail
	Metrics   []Metric      // optional numbers with units
	Duration  time.Duration // time the check took on the host
	ErrorKind string        // transport cause of an UNREACHABLE or UNKNOWN result ("timeout"), else empty
	// Reason is a short stable word for why a result is not OK
	// ("catalog_failed", "stale", "fs_full"), set by the check; the table
	// and digests group by it. Empty for OK and where a check sets none.
	Reason string
}

// Check is one configured check instance: a remote command and a pure
// evaluation of its output.
type Check interface {
	// Name is the configured name ("puppet", "nginx-procs").
	Name() string
	// Command is the POSIX sh command line run on the host. It must be
	// safe to run as any user, quick, and must not change the host.
	Command() string
	// Evaluate turns the command's output into a result. It is pure: no
	// I/O, no clock (see Output.Now), deterministic for the same input.
	// Host, Check and Duration are filled in by the caller.
	Evaluate(out Output) Result
}
