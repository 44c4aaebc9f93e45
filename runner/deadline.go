package runner

import (
	"fmt"
	"time"
)

// How a command's deadline is enforced. The host stops the command (see
// internal/remotecmd) hostSlack after its deadline, so that a tool that
// enforces the same deadline itself (curl --max-time) reports its own
// verdict first, with TERM and, killGrace later, KILL; the runner gives
// up transportGrace after that, for a host that did not stop it.
const (
	hostSlack      = 500 * time.Millisecond
	killGrace      = 500 * time.Millisecond
	transportGrace = time.Second
)

// drainFactor is how much output past OutputLimit a command may write,
// discarded, before it is cut off: a plugin that prints a few MiB and
// exits keeps its exit status, a flood is still stopped.
const drainFactor = 16

// DeadlineError is a command that was still running at its deadline on a
// host that had started it.
type DeadlineError struct {
	Deadline time.Duration // the configured deadline: the command's timeout, else the host timeout
	Host     bool          // the deadline is the host timeout (the command had none of its own)
	// Abandoned: the host did not stop the command in time and the runner
	// closed its session; otherwise the host's timeout stopped it.
	Abandoned bool
}

func (e *DeadlineError) Error() string {
	what := "check timeout"
	if e.Host {
		what = "host timeout"
	}
	how := "stopped on the host"
	if e.Abandoned {
		how = "abandoned: the host did not stop it"
	}
	return fmt.Sprintf("still running after its %s deadline (%s); %s", e.Deadline, what, how)
}

// Timeout reports true: Classify reads it as KindTimeout.
func (e *DeadlineError) Timeout() bool { return true }
