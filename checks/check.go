// Package checks defines what a health check is, the statuses it reports and
// the registry of built-in checks. A check is a remote command plus a pure
// function that turns the command's output into a Result; it knows nothing
// of SSH or ownership.
package checks

import (
	"time"

	"github.com/fleetcheck/fleetcheck/health"
)

// Status is the verdict of one check on one host (health.Status).
type Status = health.Status

// The statuses, re-exported from health.
const (
	OK          = health.OK
	Warning     = health.Warning
	Critical    = health.Critical
	Unknown     = health.Unknown
	Unreachable = health.Unreachable
)

// ParseStatus parses a status name such as "warning" (health.ParseStatus).
func ParseStatus(name string) (Status, error) { return health.ParseStatus(name) }

// Worst returns the most severe of the statuses, OK for none (health.Worst).
func Worst(statuses ...Status) Status { return health.Worst(statuses...) }

// Metric is one number a check measured (health.Metric).
type Metric = health.Metric

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

// Result is a check's verdict on one host (health.Result).
type Result = health.Result

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
