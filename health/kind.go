package health

// ErrorKind says why a host or command produced no verdict; Result.ErrorKind
// holds its string.
type ErrorKind string

// The error kinds of SPEC.md, and exec's skipped.
const (
	KindNone            ErrorKind = ""
	KindDNS             ErrorKind = "dns"
	KindRefused         ErrorKind = "refused"
	KindTimeout         ErrorKind = "timeout"
	KindHostKeyMismatch ErrorKind = "hostkey_mismatch"
	KindHostKeyUnknown  ErrorKind = "hostkey_unknown"
	KindAuth            ErrorKind = "auth"
	KindConnectionLost  ErrorKind = "connection_lost"
	KindOutputLimit     ErrorKind = "output_limit"
	KindCanceled        ErrorKind = "canceled" // the sweep was interrupted before this host finished: no verdict
	KindSkipped         ErrorKind = "skipped"  // exec stopped early and never started this host
	KindError           ErrorKind = "error"    // anything else (bad config, no route...)
)

// NotRun reports whether kind marks a host or check that never ran
// (canceled or skipped) rather than one that ran and failed.
func NotRun(kind string) bool {
	return kind == string(KindCanceled) || kind == string(KindSkipped)
}
