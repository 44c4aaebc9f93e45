package health

// Ending is how a sweep ended, as far as its exit code cares.
type Ending int

// The endings of a sweep.
const (
	// Finished: every selected host was checked.
	Finished Ending = iota
	// Cut: --global-timeout ended the sweep before every host was checked.
	Cut
	// Interrupted: Ctrl-C or SIGTERM ended the sweep.
	Interrupted
)

// EndingOf is the ending of a sweep from whether it completed and whether
// the user interrupted it; an interruption wins over a cut.
func EndingOf(complete, interrupted bool) Ending {
	switch {
	case interrupted:
		return Interrupted
	case !complete:
		return Cut
	}
	return Finished
}

// The process exit codes of SPEC.md "Exit codes" that a sweep can end with.
const (
	ExitOK          = 0   // every result OK
	ExitWarning     = 1   // worst result WARNING
	ExitCritical    = 2   // some result CRITICAL
	ExitNoVerdict   = 3   // worst result UNKNOWN or UNREACHABLE, nothing selected, or a cut sweep
	ExitInterrupted = 130 // interrupted before anything failed
)

// The exit codes of SPEC.md "Exit codes" for input that cannot be used.
const (
	ExitUsage  = 64 // a bad flag, argument or query (sysexits' EX_USAGE)
	ExitConfig = 78 // a bad inventory, owners, checks or config file (EX_CONFIG)
)

// ExitCode is the one exit-code rule of SPEC.md for a sweep whose worst
// verdict (canceled results excluded) is worst:
//   - Finished: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN or UNREACHABLE;
//   - Cut: the hosts left unchecked count as UNKNOWN, so the sweep never
//     exits 0 (nor 1): 3, unless something was CRITICAL (2);
//   - Interrupted: 130 when nothing failed, else the code of what was seen.
func ExitCode(worst Status, how Ending) int {
	if how == Cut {
		worst = Worst(worst, Unknown)
	}
	var code int
	switch worst {
	case OK:
		code = ExitOK
	case Warning:
		code = ExitWarning
	case Critical:
		code = ExitCritical
	default:
		code = ExitNoVerdict
	}
	if how == Interrupted && code == ExitOK {
		return ExitInterrupted
	}
	return code
}
