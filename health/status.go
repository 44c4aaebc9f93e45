// Package health is fleetcheck's model: the status of a check, the error
// kinds that say why there is no verdict, results and their owners, the
// sweep and its summary, the one exit-code rule and the fleetcheck.sweep/v1
// document in both directions. It uses the standard library only, so that
// every other package may import it.
package health

import (
	"fmt"
	"strings"
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

// ParseStatus parses a status name such as "warning" or "CRITICAL".
func ParseStatus(name string) (Status, error) {
	for i, n := range statusNames {
		if strings.EqualFold(n, name) {
			return Status(i), nil
		}
	}
	return 0, fmt.Errorf("unknown status %q (expected one of %s)", name, strings.Join(statusNames[:], ", "))
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
